/**
 * "Tunesmith: Compare Dataset with Revision…": a `*.jsonl` file at a git revision against the file
 * as it is now, in a panel; "Compare Dataset with File…": another file (the older version) against it,
 * in the same panel through the same request. The revision is picked from the commits that touched the file (or typed);
 * its content is read with `git show` (src/core/io/git-revision.ts, argument arrays) into a temporary
 * copy, and the comparison is the language server's `tunesmith/datasetDiff` request: the core's
 * `diffDatasets`, what `tunesmith diff --rev` runs, under the configuration the file's diagnostics use.
 * In Restricted Mode the command refuses: git runs with the repository's own configuration (hooks,
 * `core.fsmonitor`…), which an untrusted folder controls, which is why VS Code's git is off there too.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import {
  RevisionProblem,
  commitsOf,
  repoFileOf,
  writeFileAtRevision,
  type Commit,
} from '../../core/io/git-revision.ts';
import { isComparePageMessage, type CompareReportMessage } from '../../shared/dataset-compare-protocol.ts';
import type { DatasetDiffParams, DatasetDiffResult } from '../../shared/protocol.ts';
import { showFailure } from '../failure.ts';
import { loadPage } from '../webview.ts';
import { datasetCompareHtml } from './compare-page.ts';

const COMPARE_REVISION_COMMAND = 'tunesmith.dataset.compareRevision';
const COMPARE_FILE_COMMAND = 'tunesmith.dataset.compareFile';
/** Examples listed of each kind in the panel. */
const LISTED = 50;

/** The server's diff, refusing plainly while it is down. */
type DiffService = (params: DatasetDiffParams) => Promise<DatasetDiffResult>;

export function registerDatasetCompare(
  extension: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
  diff: DiffService,
): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(COMPARE_REVISION_COMMAND, async (arg: unknown, revision?: unknown) => {
      try {
        await compareWithRevision(extension.extensionUri, diff, targetOf(arg), revision);
      } catch (error) {
        if (error instanceof RevisionProblem) void vscode.window.showErrorMessage(error.message);
        else showFailure(output, error, { logPrefix: 'compare with revision: ' });
      }
    }),
    // From the Explorer with two files selected, VS Code passes the clicked one and the selection.
    vscode.commands.registerCommand(COMPARE_FILE_COMMAND, async (arg: unknown, other?: unknown) => {
      try {
        await compareWithFile(extension.extensionUri, diff, targetOf(arg), other);
      } catch (error) {
        showFailure(output, error, { logPrefix: 'compare with file: ' });
      }
    }),
  ];
}

/** The command's file: the one it was invoked on (a menu passes it), else the active tab's. */
function targetOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText) return input.uri;
  return undefined;
}

const short = (text: string, chars: number) => (text.length > chars ? `${text.slice(0, chars - 1)}…` : text);

/** A revision from the file's history, or typed; undefined when the user cancels. */
async function pickRevision(name: string, commits: Commit[]): Promise<string | undefined> {
  type Item = vscode.QuickPickItem & { revision?: string };
  const typed: Item = { label: '$(edit) Enter a revision…', detail: 'a branch, a tag, a hash, HEAD~3…' };
  const items: Item[] = commits.map((commit) => ({
    label: `$(git-commit) ${commit.short}  ${short(commit.subject, 80)}`,
    description: `${commit.author}, ${commit.date.slice(0, 10)}`,
    revision: commit.hash,
  }));
  const picked = await vscode.window.showQuickPick([...items, typed], {
    title: `Compare ${name} with Revision`,
    placeHolder:
      commits.length > 0
        ? `The ${commits.length === 1 ? 'commit' : `${commits.length} latest commits`} that changed ${name}`
        : `No commit changed ${name}: enter a revision`,
    matchOnDescription: true,
  });
  if (!picked) return undefined;
  if (picked.revision) return picked.revision;
  const entered = await vscode.window.showInputBox({
    title: `Compare ${name} with Revision`,
    prompt: 'A revision git knows: a branch, a tag, a commit hash, HEAD~3…',
    value: 'HEAD',
  });
  return entered?.trim() || undefined;
}

async function compareWithRevision(
  extensionUri: vscode.Uri,
  diff: DiffService,
  uri: vscode.Uri | undefined,
  given: unknown,
): Promise<void> {
  if (!uri || uri.scheme !== 'file') {
    void vscode.window.showWarningMessage('Compare with Revision works on a dataset file saved on disk.');
    return;
  }
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(
      "Compare with Revision is off in Restricted Mode: git runs with the repository's own configuration, which an untrusted folder controls. Trust the folder to compare revisions.",
    );
    return;
  }
  const name = basename(uri.fsPath);
  const file = await repoFileOf(uri.fsPath);
  // A revision passed as an argument (a test, a keybinding) skips the pick.
  const revision =
    typeof given === 'string' && given !== '' ? given : await pickRevision(name, await commitsOf(file));
  if (revision === undefined) return;
  await showComparison(
    extensionUri,
    diff,
    uri,
    `Comparing ${name} with ${short(revision, 12)}…`,
    async (folder) => {
      const oldPath = join(folder, `old-${name}`);
      const commit = await writeFileAtRevision(file, revision, oldPath);
      return { path: oldPath, name: `${name}@${commit.slice(0, 7)}` };
    },
  );
}

/** The other file: passed (a test, the Explorer's selection of two), else picked from the workspace. */
async function otherFileOf(uri: vscode.Uri, given: unknown): Promise<vscode.Uri | undefined> {
  if (given instanceof vscode.Uri) return given;
  if (typeof given === 'string' && given !== '') return vscode.Uri.file(given);
  if (Array.isArray(given)) {
    const others = given.filter(
      (item): item is vscode.Uri => item instanceof vscode.Uri && item.toString() !== uri.toString(),
    );
    if (given.length === 2 && others.length === 1) return others[0];
  }
  type Item = vscode.QuickPickItem & { uri?: vscode.Uri };
  const files = (await vscode.workspace.findFiles('**/*.jsonl', '**/node_modules/**', 1000))
    .filter((file) => file.toString() !== uri.toString())
    .sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  const browse: Item = { label: '$(folder-opened) Browse…', detail: 'a JSONL file anywhere on disk' };
  const picked = await vscode.window.showQuickPick(
    [...files.map((file): Item => ({ label: vscode.workspace.asRelativePath(file), uri: file })), browse],
    {
      title: `Compare ${basename(uri.fsPath)} with File`,
      placeHolder: 'The older version (shown on the left)',
    },
  );
  if (!picked) return undefined;
  if (picked.uri) return picked.uri;
  const chosen = await vscode.window.showOpenDialog({
    canSelectMany: false,
    filters: { 'JSON Lines': ['jsonl'] },
    openLabel: 'Compare',
  });
  return chosen?.[0];
}

async function compareWithFile(
  extensionUri: vscode.Uri,
  diff: DiffService,
  uri: vscode.Uri | undefined,
  given: unknown,
): Promise<void> {
  if (!uri || uri.scheme !== 'file') {
    void vscode.window.showWarningMessage('Compare with File works on a dataset file saved on disk.');
    return;
  }
  const other = await otherFileOf(uri, given);
  if (!other) return;
  if (other.scheme !== 'file') {
    void vscode.window.showWarningMessage('Compare with File compares files saved on disk.');
    return;
  }
  const title = `Comparing ${basename(uri.fsPath)} with ${basename(other.fsPath)}…`;
  await showComparison(extensionUri, diff, uri, title, (folder) =>
    currentSide(other, folder, vscode.workspace.asRelativePath(other), 'old'),
  );
}

/**
 * The comparison of `oldSide` (written into a temporary folder when it is not a file as it is) with
 * `uri` as it is in the editor, in a panel; the temporary folder is removed afterwards.
 */
async function showComparison(
  extensionUri: vscode.Uri,
  diff: DiffService,
  uri: vscode.Uri,
  title: string,
  oldSide: (folder: string) => Promise<{ path: string; name: string }>,
): Promise<void> {
  const folder = await mkdtemp(join(tmpdir(), 'tunesmith-compare-'));
  try {
    const { sides, result } = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title },
      async () => {
        const sides = {
          old: await oldSide(folder),
          new: await currentSide(uri, folder, basename(uri.fsPath)),
        };
        return { sides, result: await diff({ uri: uri.toString(), ...sides, limit: LISTED }) };
      },
    );
    if ('error' in result) {
      void vscode.window.showErrorMessage(`Cannot compare ${sides.new.name}: ${result.error}`);
      return;
    }
    ComparePanel.show(extensionUri, uri, {
      type: 'report',
      old: sides.old.name,
      new: sides.new.name,
      diff: result.diff,
    });
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** The file as it is: an open buffer's unsaved text when it has some, else the file on disk. */
async function currentSide(uri: vscode.Uri, folder: string, name: string, side: 'old' | 'new' = 'new') {
  const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString());
  if (!open?.isDirty) return { path: uri.fsPath, name };
  const path = join(folder, `${side}-${basename(uri.fsPath)}`);
  await writeFile(path, open.getText());
  return { path, name: `${name} (unsaved)` };
}

/** One comparison's panel: its report is kept here and sent whenever the page (re)loads. */
class ComparePanel {
  static show(extensionUri: vscode.Uri, file: vscode.Uri, report: CompareReportMessage): void {
    const panel = vscode.window.createWebviewPanel(
      'tunesmith.datasetCompare',
      `${report.old} ↔ ${report.new}`,
      vscode.ViewColumn.Active,
    );
    new ComparePanel(panel, extensionUri, file, report);
  }

  private constructor(
    private readonly panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly file: vscode.Uri,
    private readonly report: CompareReportMessage,
  ) {
    loadPage(panel, extensionUri, 'dataset-compare', datasetCompareHtml);
    const listener = panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message));
    panel.onDidDispose(() => listener.dispose());
  }

  private receive(message: unknown): void {
    if (!isComparePageMessage(message)) return;
    if (message.type === 'ready') {
      void this.panel.webview.postMessage(this.report);
      return;
    }
    const position = new vscode.Position(message.line - 1, 0);
    void vscode.window.showTextDocument(this.file, {
      viewColumn: vscode.ViewColumn.Beside,
      selection: new vscode.Range(position, position),
    });
  }
}
