/**
 * "Tunesmith: Compare Dataset with Revision…": a `*.jsonl` file at a git revision against the file
 * as it is now, in a panel. The revision is picked from the commits that touched the file (or typed);
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
  const folder = await mkdtemp(join(tmpdir(), 'tunesmith-compare-'));
  try {
    const outcome = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Comparing ${name} with ${short(revision, 12)}…`,
      },
      async () => {
        const oldPath = join(folder, `old-${name}`);
        const commit = await writeFileAtRevision(file, revision, oldPath);
        const sides = {
          old: { path: oldPath, name: `${name}@${commit.slice(0, 7)}` },
          new: await currentSide(uri, folder, name),
        };
        return { sides, result: await diff({ uri: uri.toString(), ...sides, limit: LISTED }) };
      },
    );
    const { sides, result } = outcome;
    if ('error' in result) {
      void vscode.window.showErrorMessage(`Cannot compare ${name}: ${result.error}`);
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
async function currentSide(uri: vscode.Uri, folder: string, name: string) {
  const open = vscode.workspace.textDocuments.find((document) => document.uri.toString() === uri.toString());
  if (!open?.isDirty) return { path: uri.fsPath, name };
  const path = join(folder, `new-${name}`);
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
