/**
 * The "Training Runs" view and its actions: open, cancel, resume, evaluate, open the output folder,
 * compare curves, delete. Each takes the tree item (or the status bar's run id); from the command
 * palette, with no argument, it asks which run with a quick pick of the runs it applies to.
 */
import * as vscode from 'vscode';
import { showFailure } from '../failure.ts';
import { ComparePanel } from './compare-panel.ts';
import { deleteRun, endMessage, type RunSummary } from './history-model.ts';
import { RunHistory, isEvaluationNode, type HistoryNode } from './history.ts';
import { compareEvaluations, evaluateCheckpoint } from './history-evaluations.ts';
import type { ReportStore } from '../evaluation/reports.ts';
import { RunPanel, type RunsHost } from './run-panel.ts';
import { cancel, runFiles } from './run.ts';

type Arg = HistoryNode | string | undefined;

/** Shows the run directory: in the OS file manager on the desktop, else in the Explorer. */
export async function revealRunDir(dir: string): Promise<void> {
  const uri = vscode.Uri.file(dir);
  if (vscode.env.uiKind === vscode.UIKind.Desktop)
    await vscode.commands.executeCommand('revealFileInOS', uri);
  else await vscode.commands.executeCommand('revealInExplorer', uri);
}

export function registerHistory(
  extension: vscode.ExtensionContext,
  host: RunsHost,
  reports: ReportStore,
): vscode.Disposable[] {
  const history = new RunHistory(host.output, reports).start();
  const view = vscode.window.createTreeView<HistoryNode>('tunesmith.runs', {
    treeDataProvider: history,
    canSelectMany: true,
    showCollapseAll: false,
  });

  const pick = async (arg: Arg, applies: (run: RunSummary) => boolean, what: string) => {
    if (isEvaluationNode(arg)) return history.find(arg.run.dir) ?? arg.run;
    if (typeof arg === 'object') return history.find(arg.dir) ?? arg;
    if (typeof arg === 'string') return history.find(arg);
    const runs = history.runs.filter(applies);
    if (runs.length === 0) {
      void vscode.window.showInformationMessage(`No training run to ${what}.`);
      return undefined;
    }
    const chosen = await vscode.window.showQuickPick(
      runs.map((run) => ({
        label: `${run.model} · ${run.method}`,
        description: run.state,
        detail: run.id,
        run,
      })),
      { placeHolder: `Training run to ${what}` },
    );
    return chosen?.run;
  };
  const open = (run: RunSummary) => RunPanel.createOrShow(extension.extensionUri, run.id, run.dir, host);
  /** Launching is refused in an untrusted workspace, with the reason. */
  const allowed = (): boolean => {
    const blocked = host.launchBlocked();
    if (blocked) void vscode.window.showWarningMessage(blocked);
    return blocked === undefined;
  };
  const all = () => true;

  const commands: Record<string, (arg: Arg, selected?: HistoryNode[]) => Promise<void>> = {
    'tunesmith.runs.open': async (arg) => {
      const run = await pick(arg, all, 'open');
      if (run) open(run);
    },
    'tunesmith.runs.cancel': async (arg) => {
      const run = await pick(arg, (r) => r.state === 'running', 'cancel');
      if (!run) return;
      if (!(await cancel(run.dir)))
        void vscode.window.showInformationMessage(`Run ${run.id} is not running.`);
      await history.refresh();
    },
    'tunesmith.runs.resume': async (arg) => {
      const run = await pick(arg, (r) => r.state !== 'running' && r.state !== 'completed', 'resume');
      if (!run || !allowed()) return;
      if (!run.lastCheckpoint)
        return void vscode.window.showWarningMessage(`Run ${run.id} saved no checkpoint to resume from.`);
      await host.resume(run.dir);
      open(run);
      await history.refresh();
    },
    'tunesmith.runs.evaluate': async (arg) => {
      const run = await pick(arg, (r) => r.state === 'completed', 'evaluate');
      if (!run || !allowed()) return;
      if (run.state !== 'completed')
        return void vscode.window.showWarningMessage(
          `Run ${run.id} is ${run.state}: only a completed run can be evaluated.`,
        );
      await host.evaluate(run.dir);
      open(run);
    },
    'tunesmith.runs.revealOutput': async (arg) => {
      const run = await pick(arg, all, 'show');
      if (run) await revealRunDir(run.dir);
    },
    'tunesmith.runs.evaluateCheckpoint': async (arg) => {
      const run = await pick(arg, (r) => r.state !== 'running', 'evaluate a checkpoint of');
      if (!run || !allowed()) return;
      if (await evaluateCheckpoint(run, host)) open(run);
    },
    'tunesmith.runs.compareEvaluations': async (arg, selected) => {
      let nodes = selected && selected.length > 1 ? selected : [];
      if (nodes.length < 2) {
        const picked = await vscode.window.showQuickPick(
          history.runs
            .filter((run) => run.evaluations?.length)
            .map((run) => ({
              label: `${run.model} · ${run.method}`,
              description: run.evaluations!.map((entry) => entry.id).join(', '),
              detail: run.id,
              picked: typeof arg === 'object' && !isEvaluationNode(arg) && arg.dir === run.dir,
              run,
            })),
          {
            canPickMany: true,
            placeHolder: 'Two evaluated runs to compare (the first becomes the base side)',
          },
        );
        nodes = picked?.map((item) => item.run) ?? [];
      }
      if (!allowed()) return;
      await compareEvaluations(nodes, host.output);
    },
    'tunesmith.runs.compare': async (arg, selected) => {
      let runs = (selected ?? []).filter((node): node is RunSummary => !isEvaluationNode(node));
      runs = runs.length > 1 ? runs : [];
      if (runs.length < 2) {
        const picked = await vscode.window.showQuickPick(
          history.runs.map((run) => ({
            label: `${run.model} · ${run.method}`,
            description: run.state,
            detail: run.id,
            picked: typeof arg === 'object' && !isEvaluationNode(arg) && arg.dir === run.dir,
            run,
          })),
          { canPickMany: true, placeHolder: 'Runs whose loss curves to compare (two or more)' },
        );
        runs = picked?.map((item) => item.run) ?? [];
      }
      if (runs.length < 2)
        return void vscode.window.showInformationMessage('Select two or more runs to compare their curves.');
      ComparePanel.show(
        extension.extensionUri,
        history,
        runs.map((run) => run.id),
        host.output,
      );
    },
    'tunesmith.runs.delete': async (arg) => {
      const run = await pick(arg, (r) => r.state !== 'running', 'delete');
      if (!run) return;
      if (run.state === 'running')
        return void vscode.window.showWarningMessage(
          `Run ${run.id} is running: cancel it before deleting it.`,
        );
      const answer = await vscode.window.showWarningMessage(
        `Delete the run "${run.model} · ${run.method}" (${run.id})?`,
        { modal: true, detail: `This deletes ${run.dir} with its checkpoints and results.` },
        'Delete',
      );
      if (answer !== 'Delete') return;
      const result = await deleteRun(run.dir);
      if (!result.deleted) return void vscode.window.showWarningMessage(result.reason!);
      RunPanel.close(run.id);
      history.forget(run.id);
      await history.refresh();
    },
    'tunesmith.runs.refresh': () => history.refresh(),
  };

  const report =
    (name: string, command: (arg: Arg, selected?: HistoryNode[]) => Promise<void>) =>
    async (arg: Arg, selected?: HistoryNode[]): Promise<void> => {
      try {
        await command(arg, selected);
      } catch (error) {
        showFailure(host.output, error, { logPrefix: `${name}: ` });
      }
    };

  const notify = async (run: RunSummary): Promise<void> => {
    const message = endMessage(run);
    if (!message) return;
    const show =
      message.level === 'error' ? vscode.window.showErrorMessage : vscode.window.showInformationMessage;
    const action = await show(message.text, ...message.actions);
    if (action === 'Open') open(run);
    else if (action === 'Evaluate') await vscode.commands.executeCommand('tunesmith.runs.evaluate', run);
    else if (action === 'Open Log')
      await vscode.window.showTextDocument(vscode.Uri.file(runFiles(run.dir).log), { preview: true });
  };

  return [
    history,
    view,
    ...Object.entries(commands).map(([name, command]) =>
      vscode.commands.registerCommand(name, report(name, command)),
    ),
    // A notification's button can fail too (Open Log of a run that never wrote one): say so.
    history.onDidEnd((runs) =>
      runs.forEach((run) => void report('end-of-run notification', () => notify(run))(undefined)),
    ),
    vscode.window.registerWebviewPanelSerializer(ComparePanel.viewType, {
      deserializeWebviewPanel: (panel, state: unknown) =>
        ComparePanel.revive(panel, extension.extensionUri, state, history, host),
    }),
  ];
}
