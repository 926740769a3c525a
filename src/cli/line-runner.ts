/**
 * Runs `LinePass` over batches of lines, either in this thread or in a pool of worker threads. Both
 * answer batches with the same `BatchResult`, so `lint-file.ts` does not care which it has.
 */
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ResolvedConfig } from '../server/engine/config.ts';
import { LinePass } from '../server/engine/linter.ts';
import type { Checker } from '../server/engine/rule.ts';
import type { Finding, LineInput } from '../server/engine/types.ts';
import { ALL_CHECKERS } from '../server/rules/index.ts';

export interface BatchResult {
  findings: Finding[];
  /** Facts of the lines that have any, in line order. */
  facts: { line: number; facts: unknown[] }[];
  /** "internal error in rule X on line N: ..." messages. */
  errors: string[];
}

export interface LineRunner {
  run(lines: LineInput[]): Promise<BatchResult>;
  /** How many batches may be in flight before the reader should wait. */
  readonly capacity: number;
  close(): Promise<void>;
}

export function describeRuleError(
  codes: readonly string[],
  line: number | undefined,
  error: unknown,
): string {
  const where = line === undefined ? 'at the end of the file' : `on line ${line + 1}`;
  const reason = error instanceof Error ? error.message : String(error);
  return `internal error in rule ${codes.join(', ')} ${where}: ${reason}`;
}

/** Lints one batch with a pass; shared by the in-thread runner and the worker. */
export function runBatch(pass: LinePass, lines: readonly LineInput[], errors: string[]): BatchResult {
  const findings: Finding[] = [];
  const facts: BatchResult['facts'] = [];
  for (const input of lines) {
    const result = pass.run(input);
    for (const finding of result.findings) findings.push(finding);
    if (result.facts.some((fact) => fact !== undefined))
      facts.push({ line: input.line, facts: result.facts });
  }
  return { findings, facts, errors: errors.splice(0) };
}

export function inThreadRunner(
  config: ResolvedConfig,
  checkers: readonly Checker[] = ALL_CHECKERS,
): LineRunner {
  const errors: string[] = [];
  const pass = new LinePass(config, checkers, (codes, line, error) =>
    errors.push(describeRuleError(codes, line, error)),
  );
  return {
    capacity: 1,
    run: (lines) => Promise.resolve(runBatch(pass, lines, errors)),
    close: () => Promise.resolve(),
  };
}

/** Starts one worker: the bundled script beside dist/cli.cjs, or the TypeScript entry from source. */
function startWorker(workerData: WorkerData): Worker {
  if (typeof __filename === 'string' && __filename.endsWith('.cjs')) {
    return new Worker(join(dirname(__filename), 'lint-worker.cjs'), { workerData });
  }
  // From source (tests, `node --import tsx`): workers do not inherit tsx's loader, so register it first.
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL('./lint-worker.ts', import.meta.url).href);
  return new Worker(`import(${tsx}).then((api) => api.tsImport(${entry}, ${entry}))`, {
    eval: true,
    workerData,
  });
}

export interface WorkerData {
  config: ResolvedConfig;
}

type Reply = { id: number; result: BatchResult } | { id: number; fatal: string };

/** A pool of worker threads, each with its own `LinePass`; batches go to the least busy worker. */
export function workerPoolRunner(config: ResolvedConfig, size = availableParallelism()): LineRunner {
  const workers: { worker: Worker; busy: number }[] = [];
  const pending = new Map<number, { resolve: (r: BatchResult) => void; reject: (e: Error) => void }>();
  let nextId = 0;
  for (let i = 0; i < Math.max(1, size); i++) {
    const worker = startWorker({ config });
    const slot = { worker, busy: 0 };
    worker.on('message', (reply: Reply) => {
      slot.busy--;
      const waiter = pending.get(reply.id);
      pending.delete(reply.id);
      if ('fatal' in reply) waiter?.reject(new Error(reply.fatal));
      else waiter?.resolve(reply.result);
    });
    const fail = (error: Error): void => {
      for (const waiter of pending.values()) waiter.reject(error);
      pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`a lint worker stopped (exit code ${code})`)));
    workers.push(slot);
  }
  return {
    // Two batches per worker keep every worker fed while bounding the text held in memory.
    capacity: workers.length * 2,
    run(lines) {
      const slot = workers.reduce((a, b) => (b.busy < a.busy ? b : a));
      const id = nextId++;
      slot.busy++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        slot.worker.postMessage({ id, lines });
      });
    },
    async close() {
      await Promise.all(workers.map((slot) => slot.worker.terminate()));
    },
  };
}
