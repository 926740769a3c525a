/**
 * Which interpreter runs the trainer. An explicit `tunesmith.pythonPath` wins (as black-formatter's
 * and pylint's `interpreter` settings do), then the Python extension's active environment for the
 * workspace folder, then the project's own venv (src/trainer/install_trainer.py). No `vscode` here.
 */
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';

/** The venv scripts/setup-python.sh and the install offer create (install_trainer.py). */
export const PROJECT_VENV = join(
  process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache'),
  'tunesmith',
  'venv',
);
export const PROJECT_VENV_PYTHON = join(
  PROJECT_VENV,
  ...(process.platform === 'win32' ? ['Scripts', 'python.exe'] : ['bin', 'python']),
);

type InterpreterSource = 'setting' | 'python-extension' | 'project-venv';

export interface Interpreter {
  python: string;
  source: InterpreterSource;
}

export const SOURCE_LABEL: Record<InterpreterSource, string> = {
  setting: 'the tunesmith.pythonPath setting',
  'python-extension': "the Python extension's selected interpreter",
  'project-venv': "Tunesmith's own virtual environment",
};

/** Short forms, for a one-line summary. */
export const SOURCE_SHORT: Record<InterpreterSource, string> = {
  setting: 'tunesmith.pythonPath',
  'python-extension': 'Python extension',
  'project-venv': "Tunesmith's venv",
};

/** `~` and `${workspaceFolder}` in the setting, as VS Code's Python tool extensions expand them. */
export function expandSetting(value: string, home: string, workspaceFolder: string | undefined): string {
  let path = value.trim();
  if (path === '~' || path.startsWith('~/')) path = join(home, path.slice(1));
  if (workspaceFolder !== undefined) path = path.replaceAll('${workspaceFolder}', workspaceFolder);
  // A relative setting is relative to the workspace folder, not to the extension host's cwd.
  if (path && workspaceFolder !== undefined && !isAbsolute(path) && path.includes('/'))
    path = join(workspaceFolder, path);
  return path;
}

export function chooseInterpreter(candidates: {
  /** The setting, already expanded; empty when unset. */
  setting: string;
  /** The Python extension's active interpreter, when it is installed and has one. */
  pythonExtension: string | undefined;
  projectVenv: string;
}): Interpreter {
  if (candidates.setting) return { python: candidates.setting, source: 'setting' };
  if (candidates.pythonExtension) return { python: candidates.pythonExtension, source: 'python-extension' };
  return { python: candidates.projectVenv, source: 'project-venv' };
}
