/** Shared by the CLI tests: test checkers, temp dirs, the CLI run in-process, and the built binary. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { runCli } from '../../../src/cli/run.ts';
import type { CommandIO } from '../../../src/cli/command.ts';
import { datasetChecker, type Checker } from '../../../src/core/engine/rule.ts';

export function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `tunesmith-${name}-`));
}

export const ROOT = new URL('../../../', import.meta.url).pathname;
/** The `tunesmith` command as a user runs it; `buildBinary()` first. */
export const BIN = join(ROOT, 'bin', 'tunesmith.cjs');

function newestSource(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Bundles dist/cli.cjs from the sources under test (the binary tests spawn it), once per change of
 * the sources: several test files spawn the binary, and test files may run at the same time, so the
 * first to come builds while the others wait on a lock folder (and never load a half-written bundle).
 */
export async function buildBinary(): Promise<void> {
  const lock = join(ROOT, 'dist', '.test-build.lock');
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than any build is left by a killed run.
      const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 300_000) rmSync(lock, { recursive: true, force: true });
      else await delay(100); // polling for the other build to finish
    }
  }
  try {
    const built = statSync(join(ROOT, 'dist', 'cli.cjs'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
    const sources = Math.max(newestSource(join(ROOT, 'src')), statSync(join(ROOT, 'esbuild.mjs')).mtimeMs);
    if (built <= sources) execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The built binary in a child process, as a user runs it. */
export function runBinary(args: string[], cwd: string) {
  return spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  bytes: Buffer;
}

export async function cli(args: string[], cwd: string): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const chunks: Buffer[] = [];
  const io: CommandIO = {
    stdout: (text) => {
      stdout += text;
      chunks.push(Buffer.from(text, 'utf8'));
    },
    stdoutBytes: (bytes) => chunks.push(Buffer.from(bytes)),
    stderr: (text) => (stderr += text),
    cwd,
    stderrIsTTY: false,
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr, bytes: Buffer.concat(chunks) };
}

/** Reports each run of tabs, fixed by one space; and lines containing "boom" make it throw. */
export const tabsChecker: Checker = {
  kind: 'line',
  rules: [
    {
      code: 'format/test-tabs',
      family: 'format',
      description: 'tabs',
      defaultSeverity: 'warning',
      fixable: true,
    },
  ],
  check(context, report) {
    if (context.text.includes('boom')) throw new Error('boom');
    for (const match of context.text.matchAll(/\t+/g)) {
      const span = { start: match.index, end: match.index + match[0].length };
      const range = context.range(span);
      report('format/test-tabs', {
        message: 'tabs',
        range,
        fix: { title: 'Replace with a space', edits: [{ range, newText: ' ' }] },
      });
    }
  },
};

/** Reports the same span as tabsChecker with a different fix: every such fix conflicts. */
export const rivalChecker: Checker = {
  kind: 'line',
  rules: [
    {
      code: 'format/test-rival',
      family: 'format',
      description: 'rival',
      defaultSeverity: 'error',
      fixable: true,
    },
  ],
  check(context, report) {
    const index = context.text.indexOf('\t');
    if (index === -1) return;
    const range = context.range({ start: index, end: index + 1 });
    report('format/test-rival', {
      message: 'rival',
      range,
      fix: { title: 'Drop', edits: [{ range, newText: '' }] },
    });
  },
};

/** Exact duplicate lines, reported on the later one with the first as related location. */
export const sameChecker = datasetChecker<string>({
  kind: 'dataset',
  rules: [
    {
      code: 'consistency/test-same',
      family: 'consistency',
      description: 'same',
      defaultSeverity: 'error',
      fixable: false,
    },
  ],
  extract: (context) => (context.text.trim() ? context.text : undefined),
  createIndex() {
    const first = new Map<string, number>();
    const later: number[] = [];
    return {
      add(id, text) {
        if (first.has(text)) later.push(id);
        else first.set(text, id);
      },
      remove() {},
      report(lines, report) {
        for (const id of later) {
          const context = lines.context(id);
          const original = first.get(context.text)!;
          report('consistency/test-same', {
            message: `same as line ${original + 1}`,
            range: context.lineRange(),
            related: [{ range: lines.context(original).lineRange(), message: 'first' }],
          });
        }
      },
    };
  },
});
