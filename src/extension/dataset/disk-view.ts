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
import { LinePages, type IndexProgress, type PageLine } from '../../core/io/line-pages.ts';
import { LARGE_FILE_BYTES } from '../../shared/protocol.ts';
import {
  MAX_TEXT_CHARS,
  isDatasetViewMessage,
  type DatasetFilter,
  type DatasetHostMessage,
  type DatasetRow,
  type DatasetViewMessage,
} from '../../shared/dataset-protocol.ts';
import { showFailure } from '../failure.ts';
import { loadPage } from '../webview.ts';
import { FindingsTable } from './findings.ts';
import { datasetViewHtml } from './page.ts';
import { buildRow, isEmptyFilter, passes, readsText } from './rows.ts';

export const DATASET_DISK_VIEW_TYPE = 'tunesmith.datasetFile';

/** Index progress is sent this often (each message re-renders the count). */
const PROGRESS_MS = 250;
/** A filter scan does not decode lines longer than this (they match no text query). */
const MAX_SCAN_CHARS = 10_000_000;
const SETTLE_MS = 40;

export function registerDiskDatasetView(
  extension: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
): vscode.Disposable {
  const provider: vscode.CustomReadonlyEditorProvider = {
    openCustomDocument: (uri) => ({ uri, dispose: () => {} }),
    resolveCustomEditor: (document, panel) => {
      new DiskDatasetSession(document.uri, panel, extension.extensionUri, output);
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

const mb = (bytes: number): string => `${Math.round(bytes / 2 ** 20).toLocaleString('en-US')} MB`;

/** A line read only in part (longer than LinePages' maxLineBytes): shown as text, with why. */
function cutRow(page: PageLine & { totalBytes: number }, row: DatasetRow): DatasetRow {
  return {
    kind: 'invalid',
    line: page.line,
    error: `This line is ${mb(page.totalBytes)}: only its start is read into the view.`,
    text: page.text.slice(0, MAX_TEXT_CHARS),
    textLength: page.text.length,
    findings: row.findings,
  };
}

/** One open read-only view of a file on disk: follows the file and its diagnostics, answers the page. */
class DiskDatasetSession {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly findings: FindingsTable;
  private readonly name: string;
  private pages: LinePages | undefined;
  /** Bumped each time the file is read again (changed on disk): rows of older versions are stale. */
  private version = 0;
  private ready = false;
  private filterId = -1;
  private lastProgress = 0;
  private settle: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(
    private readonly uri: vscode.Uri,
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.name = basename(uri.fsPath);
    loadPage(panel, extensionUri, 'dataset', datasetViewHtml);
    this.findings = new FindingsTable(uri);
    this.findings.read();
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), this.name),
    );
    const failed = (error: unknown) =>
      showFailure(output, error, { logPrefix: `dataset view ${uri.fsPath}: ` });
    this.disposables.push(
      watcher,
      watcher.onDidChange(() => this.reopen().catch(failed)),
      watcher.onDidCreate(() => this.reopen().catch(failed)),
      watcher.onDidDelete(() => this.deleted()),
      panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message).catch(failed)),
      vscode.languages.onDidChangeDiagnostics((event) => {
        if (!event.uris.some((changed) => changed.toString() === uri.toString())) return;
        this.findings.read();
        clearTimeout(this.settle);
        this.settle = setTimeout(() => this.sendDocument(), SETTLE_MS);
      }),
      panel.onDidDispose(() => void this.dispose()),
    );
    void this.reopen().catch(failed);
  }

  private post(message: DatasetHostMessage): void {
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  /** Reads the file (again): a new index, a new version; the old one is closed. */
  private async reopen(): Promise<void> {
    const old = this.pages;
    this.pages = undefined;
    await old?.close();
    if (this.disposed) return;
    const version = ++this.version;
    this.lastProgress = 0;
    const pages = await LinePages.open(this.uri.fsPath, {
      onProgress: (progress) => this.progressed(version, progress),
    });
    if (this.disposed || version !== this.version) return void pages.close();
    this.pages = pages;
    pages.indexed.catch((error: unknown) =>
      this.output.error(`dataset view ${this.uri.fsPath}: indexing stopped: ${String(error)}`),
    );
  }

  private progressed(version: number, progress: IndexProgress): void {
    if (version !== this.version || !this.ready || !this.pages) return;
    const now = Date.now();
    // The first chunk at once (the first page), then a few times a second, and the end.
    if (!progress.done && now - this.lastProgress < PROGRESS_MS) return;
    this.lastProgress = now;
    this.sendDocument();
  }

  private notice(): string {
    const pages = this.pages;
    const size = pages?.size ?? 0;
    const why =
      size >= LARGE_FILE_BYTES
        ? `${this.name} is ${mb(size)}, over the 50 MB VS Code hands to extensions as a document, so this view reads it from disk and cannot edit it`
        : `this view reads ${this.name} from disk and cannot edit it ("Open as Dataset" on a file under 50 MB opens the editable view)`;
    const findings = 'findings are the language server’s lint of the saved file';
    const progress = pages?.progress;
    const indexing =
      progress && !progress.done
        ? ` Indexing: ${progress.lines.toLocaleString('en-US')} lines so far, ${Math.floor((100 * progress.bytes) / Math.max(1, progress.totalBytes))}% of the file read.`
        : '';
    return `Read-only: ${why}; ${findings}.${indexing}`;
  }

  private sendDocument(): void {
    const pages = this.pages;
    if (!this.ready || !pages) return;
    this.post({
      type: 'document',
      name: this.name,
      version: this.version,
      lineCount: pages.index.count,
      findings: this.findings.generation,
      codes: this.findings.codes,
    });
    this.post({ type: 'notice', message: this.notice() });
  }

  private deleted(): void {
    this.post({
      type: 'notice',
      message: `${this.name} was deleted from disk; the view shows what it had read.`,
    });
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
      case 'rows':
        return this.rows(message.lines);
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
      case 'fixes':
      case 'applyFix':
        this.post({
          type: 'notice',
          message: `Quick fixes need the file as a document, and ${this.name} is read from disk: apply them in a copy under 50 MB, or with \`tunesmith fix\`.`,
        });
        if (message.type === 'fixes')
          this.post({ type: 'fixes', line: message.line, finding: message.finding, titles: [] });
        return;
    }
  }

  private async rows(lines: number[]): Promise<void> {
    const pages = this.pages;
    if (!pages) return;
    const version = this.version;
    const read = await pages.read(lines);
    if (version !== this.version) return;
    const rows = read.map((page) => {
      const row = buildRow(
        page.line,
        page.totalBytes === undefined ? page.text : '',
        this.findings.of(page.line),
      );
      return page.totalBytes === undefined ? row : cutRow({ ...page, totalBytes: page.totalBytes }, row);
    });
    this.post({ type: 'rows', version, rows });
  }

  /** Findings-only filters use the table; others stream the file once. A newer request stops an older. */
  private async filter(id: number, filter: DatasetFilter): Promise<void> {
    this.filterId = id;
    if (isEmptyFilter(filter)) return this.post({ type: 'filtered', id, lines: null });
    const lines: number[] = [];
    if (!readsText(filter)) {
      for (const line of this.findings.lines())
        if (passes('', this.findings.of(line), filter)) lines.push(line);
      return this.post({ type: 'filtered', id, lines });
    }
    const pages = this.pages;
    if (!pages) return;
    const version = this.version;
    const current = () => this.filterId === id && version === this.version;
    try {
      for await (const batch of pages.scan(MAX_SCAN_CHARS)) {
        if (!current()) return;
        for (const line of batch)
          if (passes(line.text, this.findings.of(line.line), filter)) lines.push(line.line);
      }
    } catch (error) {
      // The file was read again meanwhile (its descriptor closed): the view asks again.
      if (!current()) return;
      throw error;
    }
    if (this.filterId === id && version === this.version) this.post({ type: 'filtered', id, lines });
  }

  private async dispose(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.settle);
    this.filterId = -1;
    for (const disposable of this.disposables.splice(0)) disposable.dispose();
    await this.pages?.close();
  }
}
