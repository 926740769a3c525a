/**
 * "Open as Dataset": a custom text editor for `*.jsonl` (priority `option`, so the text editor stays
 * the default). It edits the very TextDocument the text editor shows, as VS Code's custom text editors
 * do: an edit in either shows in the other, and a quick fix applied from the view is an edit of that
 * document. The view holds no copy of the file: it asks for the rows it shows by line number.
 * Findings are the document's diagnostics (`vscode.languages.getDiagnostics`, what the Problems panel
 * shows); their fixes come from `vscode.executeCodeActionProvider`, the same as the light bulb.
 * A file too large for a TextDocument (over 50 MB) opens in the read-only view of disk-view.ts instead.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import {
  isDatasetViewMessage,
  type DatasetFilter,
  type DatasetHostMessage,
  type DatasetViewMessage,
} from '../../shared/dataset-protocol.ts';
import { showFailure } from '../failure.ts';
import { loadPage } from '../webview.ts';
import { DATASET_DISK_VIEW_TYPE, registerDiskDatasetView, tooLargeForDocument } from './disk-view.ts';
import { datasetViewHtml } from './page.ts';
import { FindingsTable, codeOf } from './findings.ts';
import {
  buildRow,
  isEmptyFilter,
  needsTokens,
  passes,
  readsText,
  type FindingInput,
  type TokensOf,
} from './rows.ts';
import { StatsSource, type StatsRequester } from './stats.ts';
import { watchFile } from './watch.ts';

const DATASET_VIEW_TYPE = 'tunesmith.dataset';

/** Lines scanned between two yields of a filter over a large file (so edits and messages get through). */
const FILTER_CHUNK = 20_000;
/** Edits and diagnostics arrive in bursts (a keystroke brings both): one document message per burst. */
const SETTLE_MS = 40;

export function registerDatasetView(
  extension: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
  stats?: StatsRequester,
): vscode.Disposable[] {
  const uriOf = (arg: unknown): vscode.Uri | undefined =>
    arg instanceof vscode.Uri ? arg : (vscode.window.activeTextEditor?.document.uri ?? activeTabUri());
  return [
    vscode.window.registerCustomEditorProvider(
      DATASET_VIEW_TYPE,
      {
        resolveCustomTextEditor: (document, panel) => {
          new DatasetSession(document, panel, extension.extensionUri, output, stats);
        },
      },
      { supportsMultipleEditorsPerDocument: true },
    ),
    registerDiskDatasetView(extension, output, stats),
    vscode.commands.registerCommand('tunesmith.dataset.open', async (arg: unknown) => {
      const uri = uriOf(arg);
      if (!uri) return;
      // From the text editor: the view opens where its cursor is.
      const editor = vscode.window.activeTextEditor;
      if (editor?.document.uri.toString() === uri.toString())
        openingAt.set(uri.toString(), editor.selection.active.line);
      const viewType = (await tooLargeForDocument(uri)) ? DATASET_DISK_VIEW_TYPE : DATASET_VIEW_TYPE;
      return vscode.commands.executeCommand('vscode.openWith', uri, viewType);
    }),
    vscode.commands.registerCommand('tunesmith.dataset.openText', (arg: unknown) => {
      const uri = arg instanceof vscode.Uri ? arg : activeTabUri();
      if (uri) return vscode.commands.executeCommand('vscode.openWith', uri, 'default');
    }),
  ];
}

/** The line each view being opened from a text editor shows first, until its page is ready. */
const openingAt = new Map<string, number>();

/** The file of the active tab, whichever editor shows it (a custom editor has no TextEditor). */
function activeTabUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText) return input.uri;
  return undefined;
}

/** One open dataset view: follows its document and its diagnostics, answers the page's requests. */
class DatasetSession {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly findings: FindingsTable;
  private filterId = -1;
  private settle: ReturnType<typeof setTimeout> | undefined;
  /** The code actions last listed for a finding, kept until one is chosen. */
  private offered: { key: string; actions: vscode.CodeAction[] } | undefined;
  private readonly stats: StatsSource;
  /** The file is gone from disk: the view shows no rows (the buffer's are no longer the file's). */
  private deleted = false;

  constructor(
    private readonly document: vscode.TextDocument,
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly output: vscode.LogOutputChannel,
    requestStats?: StatsRequester,
  ) {
    this.stats = new StatsSource(
      document.uri.toString(),
      requestStats,
      () => document.version,
      (message) => this.post(message),
    );
    loadPage(panel, extensionUri, 'dataset', datasetViewHtml);
    this.findings = new FindingsTable(document.uri);
    this.readDiagnostics();
    const uri = document.uri.toString();
    this.disposables.push(
      panel.webview.onDidReceiveMessage((message: unknown) =>
        this.receive(message).catch((error: unknown) =>
          showFailure(output, error, { logPrefix: `dataset view ${document.uri.fsPath}: ` }),
        ),
      ),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document.uri.toString() === uri) this.changed();
      }),
      vscode.languages.onDidChangeDiagnostics((event) => {
        if (!event.uris.some((changed) => changed.toString() === uri)) return;
        this.readDiagnostics();
        this.changed();
      }),
      watchFile(document.uri, {
        changed: () => this.fileChanged(),
        deleted: () => this.fileDeleted(),
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Read again: the rows asked for before are stale (new findings number), as after an edit. */
  private fileChanged(): void {
    if (this.deleted) {
      this.deleted = false;
      this.post({ type: 'notice', message: `${basename(this.document.uri.path)} is back on disk.` });
    }
    this.readDiagnostics();
    this.changed();
  }

  private fileDeleted(): void {
    this.deleted = true;
    this.post({
      type: 'notice',
      message: `${basename(this.document.uri.path)} was deleted on disk. Save to write it again from the editor's copy, or close this view.`,
    });
    this.sendDocument();
  }

  private post(message: DatasetHostMessage): void {
    void this.panel.webview.postMessage(message);
  }

  private readDiagnostics(): void {
    this.findings.read();
    this.offered = undefined;
  }

  private findingsOf(line: number): FindingInput[] {
    return this.findings.of(line);
  }

  private changed(): void {
    this.stats.changed();
    clearTimeout(this.settle);
    this.settle = setTimeout(() => this.sendDocument(), SETTLE_MS);
  }

  private sendDocument(): void {
    this.post({
      type: 'document',
      name: basename(this.document.uri.path),
      version: this.document.version,
      lineCount: this.deleted ? 0 : this.lineCount(),
      findings: this.findings.generation,
      codes: this.findings.codes,
    });
  }

  /** Lines of the dataset: a final empty line (the file's last newline) is not an example. */
  private lineCount(): number {
    const count = this.document.lineCount;
    return count > 0 && this.document.lineAt(count - 1).text === '' ? count - 1 : count;
  }

  private async receive(message: unknown): Promise<void> {
    if (!isDatasetViewMessage(message)) {
      this.output.warn(`dataset view ${this.document.uri.fsPath}: ignored a message of unknown shape`);
      return;
    }
    await this.act(message);
  }

  private async act(message: DatasetViewMessage): Promise<void> {
    switch (message.type) {
      case 'ready': {
        this.sendDocument();
        const key = this.document.uri.toString();
        const line = openingAt.get(key);
        openingAt.delete(key);
        if (line !== undefined && line > 0) this.post({ type: 'goto', line });
        return;
      }
      case 'rows': {
        const count = this.document.lineCount;
        const rows = message.lines
          .filter((line) => line < count)
          .map((line) => buildRow(line, this.document.lineAt(line).text, this.findingsOf(line)));
        this.post({ type: 'rows', version: this.document.version, rows });
        return;
      }
      case 'reveal':
        return this.reveal(message.line, message.character);
      case 'stats':
        return message.show ? this.stats.show() : this.stats.hide();
      case 'openText':
        await vscode.commands.executeCommand(
          'vscode.openWith',
          this.document.uri,
          'default',
          this.panel.viewColumn,
        );
        return;
      case 'filter':
        return this.filter(message.id, message.filter);
      case 'fixes':
        return this.listFixes(message.findings, message.line, message.finding);
      case 'applyFix':
        return this.applyFix(message.findings, message.line, message.finding, message.fix);
    }
  }

  private async reveal(line: number, character: number): Promise<void> {
    const target = Math.min(line, Math.max(0, this.document.lineCount - 1));
    const position = new vscode.Position(target, character);
    await vscode.window.showTextDocument(this.document, {
      viewColumn: vscode.ViewColumn.Beside,
      selection: new vscode.Range(position, position),
      preview: true,
    });
  }

  /** Scans every line in chunks; a newer filter request stops an older one. */
  private async filter(id: number, filter: DatasetFilter): Promise<void> {
    this.filterId = id;
    if (isEmptyFilter(filter)) return this.post({ type: 'filtered', id, lines: null });
    const lines: number[] = [];
    // Token bounds need each line's count, which the statistics (the server's tokenizer) give.
    let counted: { of: TokensOf; line: number } | undefined;
    if (needsTokens(filter)) {
      const of = await this.stats.tokens();
      if (this.filterId !== id) return;
      // No counts (no server, or a line the tokenizer failed on, said in the statistics): none passes.
      if (!of) return this.post({ type: 'filtered', id, lines: [] });
      counted = { of, line: 0 };
    }
    if (!readsText(filter)) {
      // Only lines with diagnostics can pass: no need to read the others.
      for (const line of this.findings.lines())
        if (passes('', this.findingsOf(line), filter)) lines.push(line);
      return this.post({ type: 'filtered', id, lines });
    }
    const count = this.lineCount();
    const version = this.document.version;
    for (let start = 0; start < count; start += FILTER_CHUNK) {
      const end = Math.min(count, start + FILTER_CHUNK);
      for (let line = start; line < end; line++) {
        if (counted) counted.line = line;
        if (passes(this.document.lineAt(line).text, this.findingsOf(line), filter, counted)) lines.push(line);
      }
      await new Promise((done) => setImmediate(done));
      if (this.filterId !== id) return;
      // An edit meanwhile: the view asks again when the document message reaches it.
      if (this.document.version !== version) return;
    }
    this.post({ type: 'filtered', id, lines });
  }

  private diagnosticAt(generation: number, line: number, finding: number): vscode.Diagnostic | undefined {
    if (generation !== this.findings.generation) {
      this.post({ type: 'notice', message: 'The findings changed meanwhile: look again and retry.' });
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
        this.document.uri,
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
    if (!action) {
      this.post({ type: 'notice', message: 'That fix is no longer offered: the findings changed.' });
      return;
    }
    this.offered = undefined;
    if (action.edit && !(await vscode.workspace.applyEdit(action.edit)))
      return this.post({ type: 'notice', message: `"${action.title}" could not be applied.` });
    if (action.command)
      await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
  }

  private dispose(): void {
    this.stats.dispose();
    clearTimeout(this.settle);
    this.filterId = -1;
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
  }
}
