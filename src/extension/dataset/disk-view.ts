/**
 * "Open as Dataset" for a file too large for a TextDocument: VS Code hands no file over 50 MB to
 * extensions as a document, and a custom *text* editor cannot open on one (the extension host has no
 * document to give it). This custom *readonly* editor reads the file itself instead: one streaming
 * pass builds an index of line offsets in the background (src/core/io/line-pages.ts), the first rows
 * are shown as soon as the first chunk is indexed, and each page the view asks for is read from disk
 * by byte offset. The view is read-only here, with a notice saying so and why; its findings are the
 * server's lint of the file on disk (ctx.ts tells the server which such files are shown), so the
 * same diagnostics as the Problems panel. Same page and protocol as the text editor's view (editor.ts).
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { LARGE_FILE_BYTES } from '../../shared/protocol.ts';
import {
  isDatasetViewMessage,
  type DatasetFilter,
  type DatasetHostMessage,
  type DatasetViewMessage,
} from '../../shared/dataset-protocol.ts';
import { showFailure } from '../failure.ts';
import { loadPage } from '../webview.ts';
import { DiskRows } from './disk-rows.ts';
import { FindingsTable } from './findings.ts';
import { needsTokens, type TokensOf } from './rows.ts';
import { StatsSource, fromDisk, type StatsRequester } from './stats.ts';
import { datasetViewHtml } from './page.ts';

export const DATASET_DISK_VIEW_TYPE = 'tunesmith.datasetFile';

/** Diagnostics arrive in bursts: one document message per burst. */
const SETTLE_MS = 40;

export function registerDiskDatasetView(
  extension: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
  requestStats?: StatsRequester,
): vscode.Disposable {
  const provider: vscode.CustomReadonlyEditorProvider = {
    openCustomDocument: (uri) => ({ uri, dispose: () => {} }),
    resolveCustomEditor: (document, panel) => {
      new DiskDatasetSession(document.uri, panel, extension.extensionUri, output, requestStats);
    },
  };
  return vscode.window.registerCustomEditorProvider(DATASET_DISK_VIEW_TYPE, provider, {
    supportsMultipleEditorsPerDocument: true,
  });
}

/** Which view "Open as Dataset" opens `uri` in: the one over its TextDocument unless VS Code sends none. */
export async function tooLargeForDocument(uri: vscode.Uri): Promise<boolean> {
  if (uri.scheme !== 'file') return false;
  const size = await vscode.workspace.fs.stat(uri).then(
    (stat) => stat.size,
    () => 0,
  );
  return size >= LARGE_FILE_BYTES;
}

/** One open read-only view of a file on disk: follows the file and its diagnostics, answers the page. */
class DiskDatasetSession {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly findings: FindingsTable;
  private readonly name: string;
  private readonly rows: DiskRows;
  private readonly stats: StatsSource;
  private ready = false;
  private filterId = -1;
  private settle: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(
    private readonly uri: vscode.Uri,
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly output: vscode.LogOutputChannel,
    requestStats?: StatsRequester,
  ) {
    this.name = basename(uri.fsPath);
    loadPage(panel, extensionUri, 'dataset', datasetViewHtml);
    this.findings = new FindingsTable(uri);
    this.findings.read();
    this.rows = new DiskRows(uri.fsPath, this.name, () => this.sendDocument());
    this.stats = new StatsSource(
      uri.toString(),
      requestStats && fromDisk(requestStats, () => this.rows.version),
      () => this.rows.version,
      (message) => this.post(message),
    );
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), this.name),
    );
    const failed = (error: unknown) =>
      showFailure(output, error, { logPrefix: `dataset view ${uri.fsPath}: ` });
    const reopen = () =>
      this.rows.open().then(() => {
        this.sendDocument();
        this.stats.changed();
      }, failed);
    this.disposables.push(
      watcher,
      watcher.onDidChange(reopen),
      watcher.onDidCreate(reopen),
      watcher.onDidDelete(() =>
        this.post({
          type: 'notice',
          message: `${this.name} was deleted from disk; the view shows what it had read.`,
        }),
      ),
      panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message).catch(failed)),
      vscode.languages.onDidChangeDiagnostics((event) => {
        if (!event.uris.some((changed) => changed.toString() === uri.toString())) return;
        this.findings.read();
        clearTimeout(this.settle);
        this.settle = setTimeout(() => this.sendDocument(), SETTLE_MS);
      }),
      panel.onDidDispose(() => void this.dispose()),
    );
    void reopen();
  }

  private post(message: DatasetHostMessage): void {
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  private sendDocument(): void {
    if (!this.ready || !this.rows.opened) return;
    this.post({
      type: 'document',
      name: this.name,
      version: this.rows.version,
      lineCount: this.rows.lineCount,
      findings: this.findings.generation,
      codes: this.findings.codes,
    });
    this.post({ type: 'notice', message: this.rows.notice() });
  }

  private async receive(message: unknown): Promise<void> {
    if (!isDatasetViewMessage(message)) {
      this.output.warn(`dataset view ${this.uri.fsPath}: ignored a message of unknown shape`);
      return;
    }
    await this.act(message);
  }

  private async act(message: DatasetViewMessage): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        return this.sendDocument();
      case 'rows': {
        const read = await this.rows.rows(message.lines, this.findings);
        if (read && read.version === this.rows.version) this.post({ type: 'rows', ...read });
        return;
      }
      case 'reveal': {
        // VS Code's text editor opens a file of any size; only extensions get no document of it.
        const position = new vscode.Position(message.line, message.character);
        await vscode.commands.executeCommand('vscode.open', this.uri, {
          viewColumn: vscode.ViewColumn.Beside,
          selection: new vscode.Range(position, position),
          preview: true,
        });
        return;
      }
      case 'openText':
        await vscode.commands.executeCommand('vscode.openWith', this.uri, 'default', this.panel.viewColumn);
        return;
      case 'filter':
        return this.filter(message.id, message.filter);
      case 'stats':
        // The language server streams the file from disk through its stats collector, in the background.
        return message.show ? this.stats.show() : this.stats.hide();
      case 'fixes':
      case 'applyFix':
        this.post({
          type: 'notice',
          message: `Quick fixes edit a document, and ${this.name} is read from disk: apply them with \`tunesmith fix\`, or in a part of the file under 50 MB.`,
        });
        if (message.type === 'fixes')
          this.post({ type: 'fixes', line: message.line, finding: message.finding, titles: [] });
        return;
    }
  }

  /** A newer filter request stops an older one. */
  private async filter(id: number, filter: DatasetFilter): Promise<void> {
    this.filterId = id;
    // Token bounds need each line's count: the statistics' (the server's tokenizer), counted if not yet.
    let tokens: TokensOf | undefined;
    if (needsTokens(filter)) {
      tokens = await this.stats.tokens();
      if (this.filterId !== id) return;
      if (!tokens) return this.post({ type: 'filtered', id, lines: [] });
    }
    const lines = await this.rows.filter(
      filter,
      this.findings,
      () => this.filterId === id && !this.disposed,
      tokens,
    );
    if (lines !== undefined && this.filterId === id) this.post({ type: 'filtered', id, lines });
  }

  private async dispose(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.settle);
    this.filterId = -1;
    this.stats.dispose();
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    await this.rows.close();
  }
}
