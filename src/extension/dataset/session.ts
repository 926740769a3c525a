/**
 * One open dataset view, whichever editor opened it: the page (page.ts), the findings table (the
 * file's diagnostics), the statistics, and the page's validated messages answered, over a RowSource
 * that says where the rows come from: a TextDocument (the editable view) or the file's pages on disk
 * (the read-only view of a file over 50 MB). The sources are in sources.ts; only the document's is
 * editable, so only it lists and applies quick fixes.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import {
  isDatasetViewMessage,
  type DatasetFilter,
  type DatasetHostMessage,
  type DatasetRow,
  type DatasetViewMessage,
} from '../../shared/dataset-protocol.ts';
import { showFailure } from '../failure.ts';
import { loadPage } from '../webview.ts';
import { FindingsTable, codeOf } from './findings.ts';
import { datasetViewHtml } from './page.ts';
import { filterLines, needsTokens, type FindingsSource, type LineBatches, type TokensOf } from './rows.ts';
import { StatsSource, fromDisk, type StatsRequester } from './stats.ts';

/** Edits and diagnostics arrive in bursts (a keystroke brings both): one document message per burst. */
const SETTLE_MS = 40;

/** Where a view's rows come from. */
export interface RowSource {
  readonly uri: vscode.Uri;
  /**
   * The rows are the file on disk, not a TextDocument's: the view is read-only (no quick fixes) and
   * the server counts the statistics from disk.
   */
  readonly onDisk: boolean;
  /** Bumped on each change: rows and counts of an older version are stale. */
  version(): number;
  /** The dataset's lines; undefined until the source can tell (the file is not open yet). */
  lineCount(): number | undefined;
  /** The rows of `lines`, of the version they were read from; undefined if there is none to read. */
  rows(
    lines: readonly number[],
    findings: FindingsSource,
  ): Promise<{ version: number; rows: DatasetRow[] } | undefined>;
  /** Every line's text, for a filter; undefined if there is none to read. */
  lines(): LineBatches | undefined;
  /** What the view says above the rows with each document message. */
  notice?(): string;
  /** Shows the line in the text editor, beside the view. */
  reveal(line: number, character: number): Promise<void>;
  dispose(): void | Promise<void>;
}

/** What a source tells its session. */
export interface SourceEvents {
  /** The rows changed (an edit): the counts are stale; the document is sent when the burst settles. */
  changed(): void;
  /** The file changed on disk under a document: its findings are read again too (a new generation). */
  reread(): void;
  /** The file was read again from disk: the counts are stale; the document is sent now. */
  reopened(): void;
  /** Send the document now (the index grew, the file is gone). */
  send(): void;
  notice(message: string): void;
  failed(error: unknown): void;
}

export class DatasetSession implements SourceEvents {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly source: RowSource;
  private readonly name: string;
  private readonly findings: FindingsTable;
  private readonly stats: StatsSource;
  private ready = false;
  private disposed = false;
  private filterId = -1;
  private settle: ReturnType<typeof setTimeout> | undefined;
  /** The code actions last listed for a finding, kept until one is chosen. */
  private offered: { key: string; actions: vscode.CodeAction[] } | undefined;

  constructor(
    private readonly panel: vscode.WebviewPanel,
    source: (events: SourceEvents) => RowSource,
    extensionUri: vscode.Uri,
    private readonly output: vscode.LogOutputChannel,
    /** The line to show first (the view opened from a text editor's cursor), taken when the page is ready. */
    private readonly firstLine: () => number | undefined,
    requestStats?: StatsRequester,
  ) {
    loadPage(panel, extensionUri, 'dataset', datasetViewHtml);
    this.source = source(this);
    const { uri } = this.source;
    this.name = basename(uri.path);
    this.findings = new FindingsTable(uri);
    this.findings.read();
    const version = () => this.source.version();
    this.stats = new StatsSource(
      uri.toString(),
      this.source.onDisk ? requestStats && fromDisk(requestStats, version) : requestStats,
      version,
      (message) => this.post(message),
    );
    this.disposables.push(
      panel.webview.onDidReceiveMessage((message: unknown) =>
        this.receive(message).catch((error: unknown) => this.failed(error)),
      ),
      vscode.languages.onDidChangeDiagnostics((event) => {
        if (event.uris.some((changed) => changed.toString() === uri.toString())) this.reread();
      }),
      panel.onDidDispose(() => void this.dispose()),
    );
  }

  changed(): void {
    this.stats.changed();
    clearTimeout(this.settle);
    this.settle = setTimeout(() => this.send(), SETTLE_MS);
  }

  reread(): void {
    this.findings.read();
    this.offered = undefined;
    this.changed();
  }

  reopened(): void {
    this.send();
    this.stats.changed();
  }

  send(): void {
    const lineCount = this.source.lineCount();
    if (!this.ready || lineCount === undefined) return;
    this.post({
      type: 'document',
      name: this.name,
      version: this.source.version(),
      lineCount,
      findings: this.findings.generation,
      codes: this.findings.codes,
    });
    const notice = this.source.notice?.();
    if (notice !== undefined) this.notice(notice);
  }

  notice(message: string): void {
    this.post({ type: 'notice', message });
  }

  failed(error: unknown): void {
    showFailure(this.output, error, { logPrefix: `dataset view ${this.source.uri.fsPath}: ` });
  }

  private post(message: DatasetHostMessage): void {
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  private async receive(message: unknown): Promise<void> {
    if (!isDatasetViewMessage(message)) {
      this.output.warn(`dataset view ${this.source.uri.fsPath}: ignored a message of unknown shape`);
      return;
    }
    await this.act(message);
  }

  private async act(message: DatasetViewMessage): Promise<void> {
    switch (message.type) {
      case 'ready': {
        this.ready = true;
        this.send();
        const line = this.firstLine();
        if (line !== undefined && line > 0) this.post({ type: 'goto', line });
        return;
      }
      case 'rows': {
        const read = await this.source.rows(message.lines, this.findings);
        if (read && read.version === this.source.version()) this.post({ type: 'rows', ...read });
        return;
      }
      case 'reveal':
        return this.source.reveal(message.line, message.character);
      case 'stats':
        return message.show ? this.stats.show() : this.stats.hide();
      case 'openText':
        await vscode.commands.executeCommand(
          'vscode.openWith',
          this.source.uri,
          'default',
          this.panel.viewColumn,
        );
        return;
      case 'filter':
        return this.filter(message.id, message.filter);
      case 'fixes':
      case 'applyFix':
        if (this.source.onDisk) return this.readOnly(message);
        return message.type === 'fixes'
          ? this.listFixes(message.findings, message.line, message.finding)
          : this.applyFix(message.findings, message.line, message.finding, message.fix);
    }
  }

  /** A newer filter request, or a new version of the rows, stops an older one. */
  private async filter(id: number, filter: DatasetFilter): Promise<void> {
    this.filterId = id;
    // Token bounds need each line's count, which the statistics (the server's tokenizer) give.
    let tokens: TokensOf | undefined;
    if (needsTokens(filter)) {
      tokens = await this.stats.tokens();
      if (this.filterId !== id) return;
      // No counts (no server, or a line the tokenizer failed on, said in the statistics): none passes.
      if (!tokens) return this.post({ type: 'filtered', id, lines: [] });
    }
    const version = this.source.version();
    const current = () => this.filterId === id && !this.disposed && this.source.version() === version;
    const lines = await filterLines(filter, this.findings, this.source.lines(), current, tokens);
    if (lines !== undefined && current()) this.post({ type: 'filtered', id, lines });
  }

  private readOnly(message: Extract<DatasetViewMessage, { type: 'fixes' | 'applyFix' }>): void {
    this.notice(
      `Quick fixes edit a document, and ${this.name} is read from disk: apply them with \`tunesmith fix\`, or in a part of the file under 50 MB.`,
    );
    if (message.type === 'fixes')
      this.post({ type: 'fixes', line: message.line, finding: message.finding, titles: [] });
  }

  private diagnosticAt(generation: number, line: number, finding: number): vscode.Diagnostic | undefined {
    if (generation !== this.findings.generation) {
      this.notice('The findings changed meanwhile: look again and retry.');
      return undefined;
    }
    return this.findings.at(line, finding);
  }

  private async listFixes(generation: number, line: number, finding: number): Promise<void> {
    const diagnostic = this.diagnosticAt(generation, line, finding);
    if (!diagnostic) return;
    const actions =
      (await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
        'vscode.executeCodeActionProvider',
        this.source.uri,
        diagnostic.range,
        vscode.CodeActionKind.QuickFix.value,
      )) ?? [];
    // The fixes of this diagnostic: those that name it, by code, message and range. The command's
    // results do not carry `diagnostics` across the extension host (VS Code 1.139 drops them), so
    // when none names a diagnostic, every quick fix offered for its range is listed.
    const quickFixes = actions.filter(
      // A bare Command has a string `command`; a CodeAction an object or none.
      (action): action is vscode.CodeAction => typeof (action as vscode.Command).command !== 'string',
    );
    const named = quickFixes.filter((action) =>
      (action.diagnostics ?? []).some(
        (other) =>
          other.message === diagnostic.message &&
          codeOf(other) === codeOf(diagnostic) &&
          other.range.isEqual(diagnostic.range),
      ),
    );
    const fixes = quickFixes.some((action) => action.diagnostics !== undefined) ? named : quickFixes;
    this.output.debug(
      `dataset view: ${fixes.length} of ${actions.length} code actions fix ${codeOf(diagnostic)} on line ${line + 1}`,
    );
    this.offered = { key: `${generation}:${line}:${finding}`, actions: fixes };
    this.post({ type: 'fixes', line, finding, titles: fixes.map((fix) => fix.title) });
  }

  private async applyFix(generation: number, line: number, finding: number, fix: number): Promise<void> {
    const action =
      this.offered?.key === `${generation}:${line}:${finding}` ? this.offered.actions[fix] : undefined;
    if (!action) return this.notice('That fix is no longer offered: the findings changed.');
    this.offered = undefined;
    if (action.edit && !(await vscode.workspace.applyEdit(action.edit)))
      return this.notice(`"${action.title}" could not be applied.`);
    if (action.command)
      await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
  }

  private async dispose(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.settle);
    this.filterId = -1;
    this.stats.dispose();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    await this.source.dispose();
  }
}
