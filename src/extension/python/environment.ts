/**
 * The training environment as the user sees it: "Check Training Environment" (the trainer's `doctor`
 * through the chosen interpreter, as a notification and a Markdown report), and the offer to install
 * the trainer into Tunesmith's own venv when the interpreter cannot run it (install_trainer.py, with
 * progress and Cancel). Launches ask `ensureTrainer()` first, so a missing trainer brings the offer
 * rather than a spawn error.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import { showFailure } from '../failure.ts';
import { PROJECT_VENV, SOURCE_LABEL } from './choose.ts';
import { pipMessage, readPins, runInstaller, type InstallResult } from './installer.ts';
import {
  currentInterpreter,
  doctor,
  invalidate,
  onDidChangeInterpreter,
  watchInterpreter,
} from './interpreter.ts';
import { classifyFailure, markdown, ready, summary, type TrainerEnvironment } from './report.ts';

const REPORT_URI = vscode.Uri.from({ scheme: 'tunesmith-env', path: '/Training Environment.md' });

/** Measured for requirements.lock on Linux x86_64 (docs/benchmarks.md); elsewhere torch is CPU-only. */
const SIZE =
  process.platform === 'linux'
    ? 'about 6 GB on disk (5.9 GB measured), most of it torch and its CUDA libraries'
    : 'about 1 GB on disk, most of it torch';

const UNTRUSTED = 'Installing the trainer needs a trusted workspace.';
const UNTRUSTED_CHECK =
  "Checking the training environment runs this workspace's Python interpreter, so it needs a trusted workspace.";

/** A Python 3.10+ that can make venvs, resolved to its real path (a pyenv shim would not pass on SIGTERM). */
async function basePython(): Promise<string> {
  const command = process.platform === 'win32' ? 'python' : 'python3';
  const code = 'import sys, venv; assert sys.version_info >= (3, 10), sys.version; print(sys.executable)';
  try {
    const { stdout } = await promisify(execFile)(command, ['-c', code]);
    return stdout.trim();
  } catch (error) {
    throw new Error(
      `Creating the trainer's environment needs Python 3.10 or newer with its venv module as "${command}" ` +
        `on the PATH (${error instanceof Error ? error.message.split('\n')[0] : String(error)}).`,
      { cause: error },
    );
  }
}

class Environments implements vscode.Disposable {
  private cached: Promise<TrainerEnvironment> | undefined;
  private shown: TrainerEnvironment | undefined;
  private installing: Promise<string | undefined> | undefined;
  private readonly reportChanged = new vscode.EventEmitter<vscode.Uri>();
  readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly extensionPath: string,
    private readonly output: vscode.LogOutputChannel,
  ) {
    this.subscriptions = [
      watchInterpreter(),
      onDidChangeInterpreter(() => (this.cached = undefined)),
      this.reportChanged,
      vscode.workspace.registerTextDocumentContentProvider(REPORT_URI.scheme, {
        onDidChange: this.reportChanged.event,
        provideTextDocumentContent: () =>
          this.shown ? markdown(this.shown) : 'Run "Tunesmith: Check Training Environment".\n',
      }),
    ];
  }

  /**
   * The doctor's view of the chosen interpreter; cached until the interpreter changes. Refused in an
   * untrusted workspace: the interpreter may be the workspace's own (its .venv, its settings).
   */
  environment(): Promise<TrainerEnvironment> {
    if (!vscode.workspace.isTrusted) return Promise.reject(new Error(UNTRUSTED_CHECK));
    return (this.cached ??= this.check());
  }

  private async check(): Promise<TrainerEnvironment> {
    const interpreter = await currentInterpreter(this.output);
    try {
      return { interpreter, report: await doctor(interpreter.python) };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.output.warn(`doctor with ${interpreter.python} failed: ${message}`);
      return { interpreter, problem: classifyFailure(message) };
    }
  }

  /** "Check Training Environment": a fresh doctor run, its report, and the offer when it is needed. */
  async showCheck(): Promise<void> {
    // Refused before any progress appears: nothing is checked in an untrusted workspace.
    if (!vscode.workspace.isTrusted) throw new Error(UNTRUSTED_CHECK);
    this.cached = undefined;
    const env = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Checking the training environment…' },
      () => this.environment(),
    );
    await this.showReport(env);
    if (ready(env)) void vscode.window.showInformationMessage(summary(env));
    else await this.offer(env);
  }

  private async showReport(env: TrainerEnvironment): Promise<void> {
    this.shown = env;
    this.reportChanged.fire(REPORT_URI);
    try {
      await vscode.commands.executeCommand('markdown.showPreview', REPORT_URI);
    } catch {
      // Without the built-in Markdown extension the source is still readable.
      const document = await vscode.workspace.openTextDocument(REPORT_URI);
      await vscode.window.showTextDocument(document, { preview: true });
    }
  }

  /** The python that can run the trainer, after the install offer when needed; undefined when declined. */
  async ensureTrainer(): Promise<string | undefined> {
    const env = await this.environment();
    return ready(env) ? env.interpreter.python : this.offer(env);
  }

  /** Says what is wrong and exactly what would be installed where, and installs when asked. */
  async offer(env: TrainerEnvironment): Promise<string | undefined> {
    const why = summary(env);
    if (!vscode.workspace.isTrusted) return void vscode.window.showWarningMessage(`${why} ${UNTRUSTED}`);
    const lock = await readFile(join(this.extensionPath, 'src/trainer/requirements.lock'), 'utf8');
    const pins = readPins(lock).map(([name, version]) => `${name} ${version}`);
    const detail = [
      `Interpreter: ${env.interpreter.python} (from ${SOURCE_LABEL[env.interpreter.source]}).`,
      `Tunesmith will create or update a virtual environment in ${PROJECT_VENV} and install with pip, from PyPI:`,
      `${pins.join(', ')}, with their dependencies, and the tunesmith-trainer package shipped with this extension.`,
      `Size: ${SIZE}. An unchanged environment is not downloaded again.`,
      env.interpreter.source !== 'project-venv'
        ? `The tunesmith.pythonPath setting will then point at the new environment.`
        : '',
    ].filter(Boolean);
    const choice = await vscode.window.showWarningMessage(
      `${why} Install the Tunesmith trainer?`,
      { modal: true, detail: detail.join('\n\n') },
      'Install',
    );
    return choice === 'Install' ? this.install(env) : undefined;
  }

  private install(env: TrainerEnvironment): Promise<string | undefined> {
    this.installing ??= this.runInstall(env).finally(() => (this.installing = undefined));
    return this.installing;
  }

  private async runInstall(env: TrainerEnvironment): Promise<string | undefined> {
    let result: InstallResult;
    try {
      const python = await basePython();
      result = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: 'Installing the Tunesmith trainer',
          cancellable: true,
        },
        (progress, token) => {
          const controller = new AbortController();
          token.onCancellationRequested(() => controller.abort());
          const trainer = join(this.extensionPath, 'src/trainer');
          const options = {
            basePython: python,
            script: join(trainer, 'install_trainer.py'),
            venv: PROJECT_VENV,
            args: ['--package', trainer],
          };
          return runInstaller(
            options,
            (event) => {
              if (event.type === 'pip') this.output.info(`pip: ${event.line}`);
              const message =
                event.type === 'pip'
                  ? pipMessage(event.line)
                  : event.type === 'step'
                    ? event.message
                    : undefined;
              if (message) progress.report({ message });
            },
            controller.signal,
          );
        },
      );
    } catch (error) {
      result = { status: 'error', message: error instanceof Error ? error.message : String(error) };
    }
    if (result.status === 'cancelled') {
      void vscode.window.showInformationMessage(
        'The trainer install was cancelled; the unfinished environment will not be used.',
      );
      return undefined;
    }
    if (result.status === 'error' || !result.python) {
      this.output.error(`trainer install failed: ${result.message}`);
      void vscode.window
        .showErrorMessage(`Installing the Tunesmith trainer failed: ${result.message}`, 'Show Log')
        .then((button) => button && this.output.show());
      return undefined;
    }
    if (env.interpreter.python !== result.python) await this.pointSettingAt(result.python);
    invalidate();
    this.cached = undefined;
    const after = await this.environment();
    void vscode.window.showInformationMessage(`The Tunesmith trainer is installed. ${summary(after)}`);
    return ready(after) ? after.interpreter.python : undefined;
  }

  /** Sets tunesmith.pythonPath where it is set now (else for the user), so the new venv is the one used. */
  private async pointSettingAt(python: string): Promise<void> {
    const config = vscode.workspace.getConfiguration('tunesmith');
    const inspected = config.inspect<string>('pythonPath');
    const target = inspected?.workspaceFolderValue
      ? vscode.ConfigurationTarget.WorkspaceFolder
      : inspected?.workspaceValue
        ? vscode.ConfigurationTarget.Workspace
        : vscode.ConfigurationTarget.Global;
    await config.update('pythonPath', python, target);
    this.output.info(`tunesmith.pythonPath set to ${python}`);
  }

  dispose(): void {
    for (const subscription of this.subscriptions.splice(0)) subscription.dispose();
  }
}

let environments: Environments | undefined;

/** The python that can run the trainer, offering the install when it cannot; undefined when declined. */
export async function ensureTrainer(): Promise<string | undefined> {
  if (!environments) throw new Error('the training environment is not registered');
  return environments.ensureTrainer();
}

/** The cached environment (interpreter, its source and the doctor's report), for other panels. */
export function trainerEnvironment(): Promise<TrainerEnvironment> {
  if (!environments) throw new Error('the training environment is not registered');
  return environments.environment();
}

export function registerEnvironment(
  extension: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
): vscode.Disposable[] {
  const owned = new Environments(extension.extensionPath, output);
  environments = owned;
  const report = (command: () => Promise<unknown>) => async (): Promise<void> => {
    try {
      await command();
    } catch (error) {
      showFailure(output, error);
    }
  };
  return [
    owned,
    new vscode.Disposable(() => {
      if (environments === owned) environments = undefined;
    }),
    vscode.commands.registerCommand(
      'tunesmith.checkEnvironment',
      report(() => owned.showCheck()),
    ),
    vscode.commands.registerCommand(
      'tunesmith.installTrainer',
      report(async () => owned.offer(await owned.environment())),
    ),
  ];
}
