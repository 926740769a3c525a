/**
 * Where a dataset view's rows come from (session.ts's RowSource):
 *  - a TextDocument: the very one the text editor shows, as VS Code's custom text editors do (an
 *    edit in either shows in the other). The view holds no copy of the file: it asks for the rows it
 *    shows by line number.
 *  - the file's pages on disk, for a file too large for a TextDocument (VS Code hands no file over
 *    50 MB to extensions as a document), read by DiskRows: an index of line offsets built in the
 *    background, the first rows shown as soon as the first chunk is indexed, each page read by byte
 *    offset. Its findings are the server's lint of the file on disk (ctx.ts tells the server which
 *    such files are shown); the view says above the rows that it is read-only, and why.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { DiskRows } from './disk-rows.ts';
import { buildRow, inBatches } from './rows.ts';
import type { RowSource, SourceEvents } from './session.ts';
import { watchFile } from './watch.ts';

/** Lines scanned between two yields of a filter over a large document (so edits and messages get through). */
const FILTER_CHUNK = 20_000;

const beside = (line: number, character: number): vscode.TextDocumentShowOptions => {
  const position = new vscode.Position(line, character);
  return {
    viewColumn: vscode.ViewColumn.Beside,
    selection: new vscode.Range(position, position),
    preview: true,
  };
};

export function documentSource(document: vscode.TextDocument, events: SourceEvents): RowSource {
  const name = basename(document.uri.path);
  /** The file is gone from disk: the view shows no rows (the buffer's are no longer the file's). */
  let deleted = false;
  const watchers = [
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.document.uri.toString() === document.uri.toString()) events.changed();
    }),
    watchFile(document.uri, {
      changed: () => {
        if (deleted) events.notice(`${name} is back on disk.`);
        deleted = false;
        // Read again: the rows asked for before are stale (new findings number), as after an edit.
        events.reread();
      },
      deleted: () => {
        deleted = true;
        events.notice(
          `${name} was deleted on disk. Save to write it again from the editor's copy, or close this view.`,
        );
        events.send();
      },
    }),
  ];
  /** Lines of the dataset: a final empty line (the file's last newline) is not an example. */
  const lineCount = (): number => {
    const count = deleted ? 0 : document.lineCount;
    return count > 0 && document.lineAt(count - 1).text === '' ? count - 1 : count;
  };
  const text = (line: number) => document.lineAt(line).text;
  return {
    uri: document.uri,
    onDisk: false,
    version: () => document.version,
    lineCount,
    rows: (lines, findings) =>
      Promise.resolve({
        version: document.version,
        rows: lines
          .filter((line) => line < document.lineCount)
          .map((line) => buildRow(line, text(line), findings.of(line))),
      }),
    lines: () => inBatches(lineCount(), text, FILTER_CHUNK),
    reveal: async (line, character) => {
      await vscode.window.showTextDocument(
        document,
        beside(Math.min(line, Math.max(0, document.lineCount - 1)), character),
      );
    },
    dispose: () => watchers.forEach((watcher) => watcher.dispose()),
  };
}

export function diskSource(uri: vscode.Uri, events: SourceEvents): RowSource {
  const name = basename(uri.path);
  const pages = new DiskRows(uri.fsPath, name, () => events.send());
  const watcher = vscode.workspace.createFileSystemWatcher(
    new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), name),
  );
  const reopen = () =>
    pages.open().then(
      () => events.reopened(),
      (error: unknown) => events.failed(error),
    );
  const watchers = [
    watcher,
    watcher.onDidChange(reopen),
    watcher.onDidCreate(reopen),
    watcher.onDidDelete(() =>
      events.notice(`${name} was deleted from disk; the view shows what it had read.`),
    ),
  ];
  void reopen();
  return {
    uri,
    onDisk: true,
    version: () => pages.version,
    lineCount: () => (pages.opened ? pages.lineCount : undefined),
    rows: (lines, findings) => pages.rows(lines, findings),
    lines: () => pages.lines(),
    notice: () => pages.notice(),
    // VS Code's text editor opens a file of any size; only extensions get no document of it.
    reveal: async (line, character) => {
      await vscode.commands.executeCommand('vscode.open', uri, beside(line, character));
    },
    dispose: async () => {
      watchers.forEach((watcher) => watcher.dispose());
      await pages.close();
    },
  };
}
