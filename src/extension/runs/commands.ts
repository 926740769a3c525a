/**
 * Training-run commands: the "New fine-tuning run" form, open a run's panel, and restore run panels
 * after a reload. The interpreter is the one python/interpreter.ts chooses; a launch first asks
 * `ensureTrainer()`, which offers the install when that interpreter cannot run the trainer.
 */
import * as vscode from 'vscode';
import { showFailure } from '../failure.ts';
import type { ReportStore } from '../evaluation/reports.ts';
import { NewRunPanel, type DatasetService } from '../new-run/new-run-panel.ts';
import { ensureTrainer } from '../python/environment.ts';
import { invalidate } from '../python/interpreter.ts';
import { launchEvaluate } from './evaluate.ts';
import { registerHistory, revealRunDir } from './history-commands.ts';
import { RunPanel, type RunsHost } from './run-panel.ts';
import { findRunDir } from './folders.ts';
import { launch } from './run.ts';

const UNTRUSTED =
  'Launching training runs needs a trusted workspace: a run executes Python with settings and paths from this workspace.';

const roots = (): string[] => (vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri.fsPath);

export function registerRuns(
  extension: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
  datasets: DatasetService,
  reports: ReportStore,
): vscode.Disposable[] {
  const host: RunsHost = {
    launchBlocked: () => (vscode.workspace.isTrusted ? undefined : UNTRUSTED),
    resume: async (dir) => {
      const python = await ensureTrainer();
      if (python) await launch(python, dir, true);
    },
    evaluate: async (dir, checkpoint) => {
      const python = await ensureTrainer();
      if (python) await launchEvaluate(python, dir, checkpoint);
    },
    reveal: revealRunDir,
    runDir: (id) => findRunDir(id, roots()),
    output,
  };

  const newRun = async (): Promise<void> => {
    if (roots().length === 0)
      return void vscode.window.showWarningMessage('Open a folder to start a training run in it.');
    // An untrusted workspace still gets the form, which shows why it cannot launch; a trusted one
    // first gets the install offer when the trainer cannot run.
    if (vscode.workspace.isTrusted && !(await ensureTrainer())) return;
    NewRunPanel.createOrShow(extension.extensionUri, roots(), host, datasets);
  };

  const report = (command: () => Promise<void>) => async (): Promise<void> => {
    try {
      await command();
    } catch (error) {
      showFailure(output, error, { shownPrefix: 'Tunesmith could not start the run:' });
    }
  };

  return [
    ...registerHistory(extension, host, reports),
    vscode.commands.registerCommand('tunesmith.newRun', report(newRun)),
    vscode.window.registerWebviewPanelSerializer(RunPanel.viewType, {
      deserializeWebviewPanel: async (panel, state: unknown) =>
        RunPanel.revive(panel, extension.extensionUri, state, host),
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      // A workspace's tunesmith.pythonPath is a restricted setting: it applies from now on.
      invalidate();
      RunPanel.refreshAll();
      NewRunPanel.trustGranted();
    }),
  ];
}
