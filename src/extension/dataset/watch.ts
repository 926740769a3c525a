/**
 * The dataset view's file on disk: a watcher on that one file. VS Code reloads a document that has no
 * unsaved edits when its file changes, but it keeps the text of a deleted file (the tab says
 * "deleted"), and a view of a file larger than VS Code sends to extensions reads rows from disk: the
 * view hears of each change here, so it reads the file again, and says so when the file is gone.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';

interface FileEvents {
  /** Written to on disk, or created again after it was deleted. */
  changed(): void;
  deleted(): void;
}

export function watchFile(uri: vscode.Uri, events: FileEvents): vscode.Disposable {
  if (uri.scheme !== 'file') return new vscode.Disposable(() => {});
  // The file's folder and its name: a pattern of one file, watched inside or outside the workspace.
  const folder = vscode.Uri.joinPath(uri, '..');
  const watcher = vscode.workspace.createFileSystemWatcher(
    new vscode.RelativePattern(folder, globEscape(basename(uri.fsPath))),
  );
  const same = (changed: vscode.Uri) => changed.toString() === uri.toString();
  const listeners = [
    watcher.onDidChange((changed) => same(changed) && events.changed()),
    watcher.onDidCreate((changed) => same(changed) && events.changed()),
    watcher.onDidDelete((changed) => same(changed) && events.deleted()),
  ];
  return new vscode.Disposable(() => {
    for (const listener of listeners) listener.dispose();
    watcher.dispose();
  });
}

/** A file name as a glob that matches only it (`[`, `*`, `?`, `{` are glob syntax). */
const globEscape = (name: string): string => name.replace(/[[\]*?{}]/g, (char) => `[${char}]`);
