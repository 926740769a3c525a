/**
 * The Python interpreter that runs the trainer, and the trainer's JSON commands (`doctor`,
 * `estimate`). Today: the `tunesmith.pythonPath` setting, else the project's venv
 * (scripts/setup-python.sh).
 */
import { execFile } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { TRAINER_ENV } from '../runs/run.ts';

export const PROJECT_VENV_PYTHON = join(homedir(), '.cache', 'tunesmith', 'venv', 'bin', 'python');

export async function trainerPython(): Promise<string> {
  const configured = vscode.workspace.getConfiguration('tunesmith').get<string>('pythonPath', '');
  return configured || PROJECT_VENV_PYTHON;
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
      { cwd, env: { ...process.env, ...TRAINER_ENV }, maxBuffer: 16 * 1024 * 1024 },
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
  /** Plain-words problems (no GPU, no bitsandbytes); empty when all is well. */
  problems: string[];
}

export const doctor = (python: string): Promise<DoctorReport> =>
  trainerJson<DoctorReport>(python, ['doctor']);
