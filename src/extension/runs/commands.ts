/**
 * Training-run commands: open a run's panel, start a run on the tiny demo model, and restore run
 * panels after a reload. The interpreter is the `tunesmith.pythonPath` setting, else the project's
 * venv (scripts/setup-python.sh); asking the Python extension for the selected interpreter is not
 * done yet.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { trainerPython } from '../python/interpreter.ts';
import { launchEvaluate } from './evaluate.ts';
import { registerHistory, revealRunDir } from './history-commands.ts';
import { RunPanel, type RunsHost } from './run-panel.ts';
import { RUNS_DIR, RUN_ID, createRun, discoverRuns, launch } from './run.ts';

const UNTRUSTED =
  'Launching training runs needs a trusted workspace: a run executes Python with settings and paths from this workspace.';

const root = (): string | undefined => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;

/** The tiny model and its synthetic task (tunesmith_trainer/tiny.py), built once per workspace. */
async function tinyModel(workspace: string): Promise<{ model: string; data: string }> {
  const base = join(workspace, '.tunesmith', 'tiny');
  const paths = { model: join(base, 'model'), data: join(base, 'data') };
  if (existsSync(join(paths.model, 'config.json')) && existsSync(join(paths.data, 'train.jsonl')))
    return paths;
  const code =
    'import sys\nfrom tunesmith_trainer.tiny import build_model, write_task\n' +
    'build_model(sys.argv[1]); write_task(sys.argv[2])';
  await promisify(execFile)(await trainerPython(), ['-c', code, paths.model, paths.data], {
    env: { ...process.env, HF_HUB_OFFLINE: '1' },
  });
  return paths;
}

export function registerRuns(
  extension: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
): vscode.Disposable[] {
  const host: RunsHost = {
    launchBlocked: () => (vscode.workspace.isTrusted ? undefined : UNTRUSTED),
    resume: async (dir) => {
      await launch(await trainerPython(), dir, true);
    },
    evaluate: async (dir) => {
      await launchEvaluate(await trainerPython(), dir);
    },
    reveal: revealRunDir,
    runDir: (id) => {
      const workspace = root();
      return workspace && RUN_ID.test(id) ? join(workspace, RUNS_DIR, id) : undefined;
    },
    output,
  };

  const newRun = async (): Promise<void> => {
    const workspace = root();
    if (!workspace)
      return void vscode.window.showWarningMessage('Open a folder to start a training run in it.');
    if (!vscode.workspace.isTrusted) return void vscode.window.showWarningMessage(UNTRUSTED);
    const run = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Starting a run on the tiny demo model…' },
      async () => {
        const tiny = await tinyModel(workspace);
        const created = await createRun(workspace, {
          model: { path: tiny.model },
          data: {
            train: join(tiny.data, 'train.jsonl'),
            validation: join(tiny.data, 'validation.jsonl'),
            max_length: 32,
          },
          method: { type: 'lora', lora: { r: 16, alpha: 32 } },
          training: {
            epochs: 3,
            batch_size: 16,
            learning_rate: 5e-3,
            logging_steps: 2,
            eval_steps: 10,
            save_steps: 1000,
            warmup_ratio: 0.05,
          },
        });
        await launch(await trainerPython(), created.dir, false);
        return created;
      },
    );
    output.info(`started run ${run.id} in ${run.dir}`);
    RunPanel.createOrShow(extension.extensionUri, run.id, run.dir, host);
  };

  const openRun = async (): Promise<void> => {
    const workspace = root();
    const ids = workspace ? await discoverRuns(workspace) : [];
    if (!workspace || ids.length === 0)
      return void vscode.window.showInformationMessage(`No training runs in ${RUNS_DIR} of this workspace.`);
    const id = await vscode.window.showQuickPick(ids, { placeHolder: 'Training run' });
    if (id) RunPanel.createOrShow(extension.extensionUri, id, join(workspace, RUNS_DIR, id), host);
  };

  const report = (command: () => Promise<void>) => async (): Promise<void> => {
    try {
      await command();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      output.error(message);
      void vscode.window.showErrorMessage(`Tunesmith could not start the run: ${message.split('\n')[0]}`);
    }
  };

  return [
    ...registerHistory(extension, host),
    vscode.commands.registerCommand('tunesmith.newRun', report(newRun)),
    vscode.commands.registerCommand('tunesmith.openRun', report(openRun)),
    vscode.window.registerWebviewPanelSerializer(RunPanel.viewType, {
      deserializeWebviewPanel: async (panel, state: unknown) =>
        RunPanel.revive(panel, extension.extensionUri, state, host),
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => RunPanel.refreshAll()),
  ];
}
