/**
 * A training run on disk: `.tunesmith/runs/<id>/` holds config.json (what the extension wrote, then
 * the trainer's resolved copy), events.jsonl (the trainer's event stream), trainer.log (its stderr),
 * stdout.log (config errors found before the run directory is known go only there) and trainer.pid.
 * No `vscode` here, so all of it runs under node:test.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TrainerEvent } from '../../shared/trainer-events.ts';
import { RUN_ID, type RunState } from '../../shared/webview-protocol.ts';

/** Environment for every trainer process: no hub access at run time, unbuffered output. */
export const TRAINER_ENV = {
  PYTHONUNBUFFERED: '1',
  HF_HUB_OFFLINE: '1',
  TOKENIZERS_PARALLELISM: 'false',
} as const;

export const RUNS_DIR = join('.tunesmith', 'runs');

export const runFiles = (dir: string) => ({
  config: join(dir, 'config.json'),
  events: join(dir, 'events.jsonl'),
  log: join(dir, 'trainer.log'),
  stdout: join(dir, 'stdout.log'),
  pid: join(dir, 'trainer.pid'),
});

/** Run ids under `<root>/.tunesmith/runs`, newest first (ids start with their creation time). */
export async function discoverRuns(root: string): Promise<string[]> {
  const dir = join(root, RUNS_DIR);
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const ids: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !RUN_ID.test(entry.name)) continue;
    const hasConfig = await stat(join(dir, entry.name, 'config.json')).then(
      () => true,
      () => false,
    );
    if (hasConfig) ids.push(entry.name);
  }
  return ids.sort().reverse();
}

/** Whether the process is alive; signal 0 checks without sending anything. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // ESRCH: gone. EPERM: it exists but is not ours to signal (a recycled PID), so not our trainer.
    return false;
  }
}

/** The PID of the run's last launched trainer and when it was launched (ms since the epoch). */
export const readPid = (dir: string) => readPidFile(runFiles(dir).pid);

/** A PID file written by `launchDetached`, and when it was written. */
export async function readPidFile(path: string): Promise<{ pid: number; since: number } | undefined> {
  const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]).catch(() => []);
  const pid = Number.parseInt(text ?? '', 10);
  return Number.isInteger(pid) && pid > 0 && info ? { pid, since: info.mtimeMs } : undefined;
}

/**
 * The state of a run from its events and its trainer process. A resumed run appends a new `started`
 * after the earlier `finished`, so only the last attempt counts; a trainer launched after the last
 * `finished` (a resume that has not reported yet) makes the run running again.
 */
export function runState(
  events: readonly TrainerEvent[],
  trainer: { alive: boolean; since?: number },
): { state: RunState; detail?: string } {
  let finished: Extract<TrainerEvent, { type: 'finished' }> | undefined;
  let error: Extract<TrainerEvent, { type: 'error' }> | undefined;
  for (const event of events) {
    if (event.type === 'started') {
      finished = undefined;
      error = undefined;
    } else if (event.type === 'finished') finished = event;
    else if (event.type === 'error') error = event;
  }
  const relaunched = finished && trainer.alive && (trainer.since ?? 0) > Date.parse(finished.time);
  if (finished && !relaunched) {
    const detail = finished.status === 'failed' && error ? error.message : undefined;
    return detail ? { state: finished.status, detail } : { state: finished.status };
  }
  if (trainer.alive) return { state: 'running' };
  return {
    state: 'failed',
    detail: 'The trainer stopped without reporting why (it was killed, or it crashed).',
  };
}

/**
 * The config a run was created with, or null when it cannot be read or is not JSON (hand-edited, cut
 * short): one such run must not keep the others out of the run history.
 */
export async function readRunConfig(dir: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(runFiles(dir).config, 'utf8')) as unknown;
  } catch {
    return null;
  }
}

interface RunConfig {
  output?: { dir?: string };
  [section: string]: unknown;
}

/** A fresh run id: its creation time (so ids sort by age), then a random suffix. */
export function newRunId(): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace(/Z$/, '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/**
 * Creates `.tunesmith/runs/<id>/config.json`, with the output directory set to the run's own. The
 * new-run form passes the id it previewed, so the command it showed is the one that runs.
 */
export async function createRun(
  root: string,
  config: RunConfig,
  id = newRunId(),
): Promise<{ id: string; dir: string }> {
  const dir = join(root, RUNS_DIR, id);
  await mkdir(dir, { recursive: true });
  const withOutput = { ...config, output: { ...config.output, dir } };
  await writeFile(runFiles(dir).config, JSON.stringify(withOutput, null, 2) + '\n');
  return { id, dir };
}

/** The trainer's command line: an argument array, never a shell string (paths may hold anything). */
export function trainArgs(configPath: string, resume: boolean): string[] {
  return ['-m', 'tunesmith_trainer', 'train', '--config', configPath, ...(resume ? ['--resume'] : [])];
}

/**
 * Starts the trainer detached, in its own process group with its output in files, so it outlives
 * the extension host (a window reload); the panel re-attaches by reading the files. Resolves with
 * its PID once it runs; rejects when it could not start (no such interpreter).
 */
export function launch(python: string, dir: string, resume: boolean): Promise<number> {
  const files = runFiles(dir);
  return launchDetached(python, trainArgs(files.config, resume), { cwd: dir, ...files });
}

/** Spawns `python args` detached with stdout and stderr appended to files, and writes its PID file. */
export async function launchDetached(
  python: string,
  args: string[],
  files: { cwd: string; stdout: string; log: string; pid: string },
): Promise<number> {
  const log = await open(files.log, 'a');
  const stdout = files.stdout === files.log ? log : await open(files.stdout, 'a');
  try {
    const child = spawn(python, args, {
      cwd: files.cwd,
      detached: true,
      stdio: ['ignore', stdout.fd, log.fd],
      env: { ...process.env, ...TRAINER_ENV },
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('spawn', () => resolve(child.pid!));
    });
    child.unref();
    await writeFile(files.pid, `${pid}\n`);
    return pid;
  } finally {
    await log.close();
    if (stdout !== log) await stdout.close();
  }
}

/**
 * Asks the trainer to stop: on SIGTERM it ends the step, saves a checkpoint and reports `cancelled`.
 * Returns false when no trainer of this run is running.
 */
export async function cancel(dir: string): Promise<boolean> {
  const trainer = await readPid(dir);
  if (trainer === undefined || !isAlive(trainer.pid)) return false;
  process.kill(trainer.pid, 'SIGTERM');
  return true;
}
