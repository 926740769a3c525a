/**
 * The Python interpreter that runs the trainer, and the trainer's JSON commands (`doctor`,
 * `estimate`). The interpreter is chosen by choose.ts from the `tunesmith.pythonPath` setting, the
 * Python extension's active environment (through `@vscode/python-extension`) and the project venv;
 * the choice is cached until one of them changes.
 */
import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { dirname } from 'node:path';
import { PVSC_EXTENSION_ID, PythonExtension } from '@vscode/python-extension';
import * as vscode from 'vscode';
import { TRAINER_ENV } from '../runs/run.ts';
import { PROJECT_VENV_PYTHON, chooseInterpreter, expandSetting, type Interpreter } from './choose.ts';

let cached: Promise<Interpreter> | undefined;
let pythonApi: Promise<PythonExtension> | undefined;
/** The listener on the Python extension's choice: one at a time, or every reconnect would add one. */
let pythonApiEvents: vscode.Disposable | undefined;
const changed = new vscode.EventEmitter<void>();
/** Fires when the choice may have changed (setting, Python extension, its selected interpreter). */
export const onDidChangeInterpreter = changed.event;
const subscriptions: vscode.Disposable[] = [];

/** Forgets the cached choice, e.g. after the install offer changed the setting. */
export function invalidate(): void {
  cached = undefined;
  changed.fire();
}

function forgetPythonApi(): void {
  pythonApiEvents?.dispose();
  pythonApiEvents = undefined;
  pythonApi = undefined;
}

/** The Python extension's interpreter for the first workspace folder, when it is installed and has one. */
async function fromPythonExtension(output?: vscode.LogOutputChannel): Promise<string | undefined> {
  if (!vscode.extensions.getExtension(PVSC_EXTENSION_ID)) return undefined;
  try {
    pythonApi ??= PythonExtension.api().then((api) => {
      pythonApiEvents = api.environments.onDidChangeActiveEnvironmentPath(invalidate);
      return api;
    });
    const api = await pythonApi;
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const environment = await api.environments.resolveEnvironment(
      api.environments.getActiveEnvironmentPath(folder),
    );
    return environment?.executable.uri?.fsPath;
  } catch (error) {
    forgetPythonApi();
    output?.warn(`the Python extension gave no interpreter: ${String(error)}`);
    return undefined;
  }
}

async function discover(output?: vscode.LogOutputChannel): Promise<Interpreter> {
  const setting = vscode.workspace.getConfiguration('tunesmith').get<string>('pythonPath', '');
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const expanded = expandSetting(setting, homedir(), folder);
  const chosen = chooseInterpreter({
    setting: expanded,
    pythonExtension: expanded ? undefined : await fromPythonExtension(output),
    projectVenv: PROJECT_VENV_PYTHON,
  });
  output?.info(`trainer interpreter: ${chosen.python} (${chosen.source})`);
  return chosen;
}

/** The chosen interpreter and where it came from; cached until the choice may have changed. */
export function currentInterpreter(output?: vscode.LogOutputChannel): Promise<Interpreter> {
  return (cached ??= discover(output));
}

export async function trainerPython(): Promise<string> {
  return (await currentInterpreter()).python;
}

/** Drops the cached choice when the setting, the installed extensions or the Python extension's choice change. */
export function watchInterpreter(): vscode.Disposable {
  subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('tunesmith.pythonPath')) invalidate();
    }),
    vscode.extensions.onDidChange(() => {
      forgetPythonApi();
      invalidate();
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(invalidate),
  );
  return new vscode.Disposable(() => {
    for (const subscription of subscriptions.splice(0)) subscription.dispose();
    cached = undefined;
    forgetPythonApi();
  });
}

/**
 * Runs `python -m tunesmith_trainer <args>` (an argument array, never a shell) and parses the JSON it
 * prints. The trainer prints `{"error": {...}}` with exit status 1 for a problem it can name.
 */
export function trainerJson<T>(python: string, args: readonly string[], cwd?: string): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(
      python,
      ['-m', 'tunesmith_trainer', ...args],
      // `python -m` puts its working directory first on sys.path: by default the interpreter's own
      // folder, never the extension host's (whatever that is), so no stray package shadows the trainer.
      { cwd: cwd ?? dirname(python), env: { ...process.env, ...TRAINER_ENV }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(stdout);
        } catch {
          const why = error?.message ?? 'it printed no JSON';
          return reject(new Error(`${python} -m tunesmith_trainer ${args[0]} failed: ${why}\n${stderr}`));
        }
        if (typeof parsed === 'object' && parsed !== null && 'error' in parsed) {
          const problem = (parsed as { error: { message?: string; hint?: string } }).error;
          return reject(new Error([problem.message, problem.hint].filter(Boolean).join(' ')));
        }
        resolve(parsed as T);
      },
    );
  });
}

/** What `python -m tunesmith_trainer doctor` prints (src/trainer/tunesmith_trainer/doctor.py). */
export interface DoctorReport {
  python: { version: string; executable: string };
  platform: string;
  packages: Record<string, string | null>;
  cuda: {
    available: boolean;
    version: string | null;
    gpus: {
      index: number;
      name: string;
      memory_bytes: number;
      free_bytes: number;
      capability: string;
      bf16: boolean;
    }[];
  };
  /**
   * Per tuning method, why it cannot run here (its own pre-launch check), or null when it can; absent
   * when torch is missing.
   */
  methods?: Record<string, string | null>;
  /** Plain-words problems (no GPU, a method unavailable); empty when all is well. */
  problems: string[];
}

export const doctor = (python: string): Promise<DoctorReport> =>
  trainerJson<DoctorReport>(python, ['doctor']);
