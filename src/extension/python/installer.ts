/**
 * Runs src/trainer/install_trainer.py (the installer scripts/setup-python.sh uses too) with `--json`
 * and turns its lines, and pip's among them, into progress. No `vscode` here, so it runs under node:test.
 */
import { spawn } from 'node:child_process';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';

export type InstallerEvent =
  | { type: 'plan'; venv: string; python: string; pins: [string, string][]; up_to_date: boolean }
  | { type: 'step'; message: string }
  | { type: 'pip'; line: string }
  | { type: 'done'; python: string; seconds: number }
  | { type: 'cancelled' }
  | { type: 'error'; message: string };

const isString = (value: unknown): value is string => typeof value === 'string';
const isPin = (value: unknown): value is [string, string] =>
  Array.isArray(value) && value.length === 2 && value.every(isString);

/** One installer line, checked field by field; undefined for anything else (a stray print). */
export function parseInstallerLine(line: string): InstallerEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const event = value as Record<string, unknown>;
  switch (event['type']) {
    case 'plan':
      return isString(event['venv']) &&
        isString(event['python']) &&
        Array.isArray(event['pins']) &&
        event['pins'].every(isPin) &&
        typeof event['up_to_date'] === 'boolean'
        ? (event as InstallerEvent)
        : undefined;
    case 'step':
      return isString(event['message']) ? (event as InstallerEvent) : undefined;
    case 'pip':
      return isString(event['line']) ? (event as InstallerEvent) : undefined;
    case 'done':
      return isString(event['python']) && typeof event['seconds'] === 'number'
        ? (event as InstallerEvent)
        : undefined;
    case 'cancelled':
      return { type: 'cancelled' };
    case 'error':
      return isString(event['message']) ? (event as InstallerEvent) : undefined;
    default:
      return undefined;
  }
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** A pip output line as a short progress message; undefined for the lines not worth showing. */
export function pipMessage(line: string): string | undefined {
  const text = line.trim();
  let match = /^Collecting ([^\s(]+)/.exec(text);
  if (match) return `Collecting ${match[1]}`;
  match = /^Downloading (\S+)(?: \(([^)]+)\))?/.exec(text);
  if (match) return `Downloading ${basename(match[1]!)}${match[2] ? ` (${match[2]})` : ''}`;
  match = /^Processing (\S+)/.exec(text);
  if (match) return `Processing ${basename(match[1]!)}`;
  match = /^Building wheels? for (\S+)/.exec(text);
  if (match) return `Building ${match[1]}`;
  match = /^Installing collected packages: (.+)$/.exec(text);
  if (match) return `Installing ${plural(match[1]!.split(',').length, 'package')}…`;
  match = /^Successfully installed (.+)$/.exec(text);
  if (match) return `Installed ${plural(match[1]!.trim().split(/\s+/).length, 'package')}`;
  return undefined;
}

/** The pins of requirements.lock (`name==version` lines), for saying what will be installed. */
export function readPins(lock: string): [string, string][] {
  return lock.split('\n').flatMap((raw) => {
    const line = raw.split('#', 1)[0]!.trim();
    const at = line.indexOf('==');
    return at > 0 ? [[line.slice(0, at).trim(), line.slice(at + 2).trim()] as [string, string]] : [];
  });
}

export interface InstallResult {
  status: 'done' | 'cancelled' | 'error';
  /** The venv's interpreter, when done. */
  python?: string;
  message?: string;
}

/**
 * Runs the installer with `basePython` (which also creates the venv). Aborting `signal` sends
 * SIGTERM: the installer stops pip, and deletes the venv when it created it.
 */
export function runInstaller(
  options: { basePython: string; script: string; venv: string; args?: readonly string[] },
  onEvent: (event: InstallerEvent) => void,
  signal?: AbortSignal,
): Promise<InstallResult> {
  return new Promise((resolve) => {
    const child = spawn(
      options.basePython,
      [options.script, '--venv', options.venv, '--json', ...(options.args ?? [])],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } },
    );
    let last: InstallerEvent | undefined;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const event = parseInstallerLine(line);
      if (!event) return;
      last = event;
      onEvent(event);
    });
    const abort = (): void => void child.kill('SIGTERM');
    signal?.addEventListener('abort', abort, { once: true });
    child.once('error', (error) => {
      signal?.removeEventListener('abort', abort);
      resolve({ status: 'error', message: `${options.basePython} could not start: ${error.message}` });
    });
    child.once('close', (code) => {
      signal?.removeEventListener('abort', abort);
      if (last?.type === 'done') return resolve({ status: 'done', python: last.python });
      if (last?.type === 'cancelled' || signal?.aborted) return resolve({ status: 'cancelled' });
      if (last?.type === 'error') return resolve({ status: 'error', message: last.message });
      const tail = stderr.trim().split('\n').slice(-3).join('\n');
      resolve({ status: 'error', message: `the installer exited with status ${code}: ${tail}` });
    });
  });
}
