/**
 * Where a dataset view's rows come from (session.ts's RowSource):
 *  - DocumentSource: the very TextDocument the text editor shows, as VS Code's custom text editors
 *    do: an edit in either shows in the other. The view holds no copy of the file: it asks for the
 *    rows it shows by line number.
 *  - DiskSource: a file too large for a TextDocument (VS Code hands no file over 50 MB to extensions
 *    as a document), read by DiskRows: an index of line offsets built in the background, the first
 *    rows shown as soon as the first chunk is indexed, each page read from disk by byte offset. Its
 *    findings are the server's lint of the file on disk (ctx.ts tells the server which such files are
 *    shown), and the view says it is read-only, and why, above the rows.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { DiskRows } from './disk-rows.ts';
import { buildRow, inBatches, type FindingsSource } from './rows.ts';
import type { RowSource, SourceEvents } from './session.ts';
import { watchFile } from './watch.ts';

/** Lines scanned between two yields of a filter over a large document (so edits and messages get through). */
const FILTER_CHUNK = 20_000;

export class DocumentSource implements RowSource {
  readonly onDisk = false;
  private readonly watchers: vscode.Disposable[];
  /** The file is gone from disk: the view shows no rows (the buffer's are no longer the file's). */
  private deleted = false;

  constructor(
    private readonly document: vscode.TextDocument,
    events: SourceEvents,
  ) {
    const name = basename(document.uri.path);
    this.watchers = [
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document.uri.toString() === document.uri.toString()) events.changed();
      }),
      watchFile(document.uri, {
        // Read again: the rows asked for before are stale (new findings number), as after an edit.
        changed: () => {
          if (this.deleted) {
            this.deleted = false;
            events.notice(`${name} is back on disk.`);
          }
          events.reread();
        },
        deleted: () => {
          this.deleted = true;
          events.notice(
            `${name} was deleted on disk. Save to write it again from the editor's copy, or close this view.`,
          );
          events.send();
        },
      }),
    ];
  }

  get uri(): vscode.Uri {
    return this.document.uri;
  }

  version(): number {
    return this.document.version;
  }

  /** Lines of the dataset: a final empty line (the file's last newline) is not an example. */
  lineCount(): number {
    if (this.deleted) return 0;
    const count = this.document.lineCount;
    return count > 0 && this.document.lineAt(count - 1).text === '' ? count - 1 : count;
  }

  rows(lines: readonly number[], findings: FindingsSource) {
    const count = this.document.lineCount;
    const rows = lines
      .filter((line) => line < count)
      .map((line) => buildRow(line, this.document.lineAt(line).text, findings.of(line)));
    return Promise.resolve({ version: this.document.version, rows });
  }

  lines() {
    return inBatches(this.lineCount(), (line) => this.document.lineAt(line).text, FILTER_CHUNK);
  }

  notice(): undefined {
    return undefined;
  }

  async reveal(line: number, character: number): Promise<void> {
    const target = Math.min(line, Math.max(0, this.document.lineCount - 1));
    const position = new vscode.Position(target, character);
    await vscode.window.showTextDocument(this.document, {
      viewColumn: vscode.ViewColumn.Beside,
      selection: new vscode.Range(position, position),
      preview: true,
    });
  }

  dispose(): void {
    for (const watcher of this.watchers.splice(0)) watcher.dispose();
  }
}

export class DiskSource implements RowSource {
  readonly onDisk = true;
  private readonly pages: DiskRows;
  private readonly watchers: vscode.Disposable[];

  constructor(
    readonly uri: vscode.Uri,
    events: SourceEvents,
  ) {
    const name = basename(uri.path);
    this.pages = new DiskRows(uri.fsPath, name, () => events.send());
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), name),
    );
    const reopen = () =>
      this.pages.open().then(
        () => events.reopened(),
        (error: unknown) => events.failed(error),
      );
    this.watchers = [
      watcher,
      watcher.onDidChange(reopen),
      watcher.onDidCreate(reopen),
      watcher.onDidDelete(() =>
        events.notice(`${name} was deleted from disk; the view shows what it had read.`),
      ),
    ];
    void reopen();
  }

  version(): number {
    return this.pages.version;
  }

  lineCount(): number | undefined {
    return this.pages.opened ? this.pages.lineCount : undefined;
  }

  rows(lines: readonly number[], findings: FindingsSource) {
    return this.pages.rows(lines, findings);
  }

  lines() {
    return this.pages.lines();
  }

  notice(): string {
    return this.pages.notice();
  }

  async reveal(line: number, character: number): Promise<void> {
    // VS Code's text editor opens a file of any size; only extensions get no document of it.
    const position = new vscode.Position(line, character);
    await vscode.commands.executeCommand('vscode.open', this.uri, {
      viewColumn: vscode.ViewColumn.Beside,
      selection: new vscode.Range(position, position),
      preview: true,
    });
  }

  async dispose(): Promise<void> {
    for (const watcher of this.watchers.splice(0)) watcher.dispose();
    await this.pages.close();
  }
}
