/**
 * Runs `LinePass` over batches of lines, either in this thread or in a pool of worker threads. Both
 * answer batches with the same `BatchResult`, so the one driver, `lint-file.ts`, does not care which
 * it has: the CLI picks by file size, the language server lints in its own thread.
 */
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { severityOf, type ResolvedConfig } from '../engine/config.ts';
import type { FormatId } from '../engine/formats.ts';
import { LinePass } from '../engine/linter.ts';
import type { Checker } from '../engine/rule.ts';
import type { Finding, LineInput } from '../engine/types.ts';
import { ALL_CHECKERS, ALL_RULES } from '../rules/index.ts';
import { packFacts, type PackedFacts } from './packed-facts.ts';

export interface BatchResult {
  findings: Finding[];
  /** Facts of the lines that have any, in line order, packed for the trip between threads. */
  facts: PackedFacts;
  /** "internal error in rule X on line N: ..." messages. */
  errors: string[];
  /** How many lines of the batch hold an example, per format. */
  formats: Partial<Record<FormatId, number>>;
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
  const factLines: number[] = [];
  const facts: unknown[][] = [];
  const formats: Partial<Record<FormatId, number>> = {};
  for (const input of lines) {
    const result = pass.run(input);
    for (const finding of result.findings) findings.push(finding);
    const format = result.example?.format;
    if (format) formats[format] = (formats[format] ?? 0) + 1;
    if (result.facts.some((fact) => fact !== undefined)) {
      factLines.push(input.line);
      facts.push(result.facts);
    }
  }
  return { findings, facts: packFacts(factLines, facts), errors: errors.splice(0), formats };
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

/**
 * Heap limits of a worker. V8 sizes heaps for the machine and lets garbage pile up; a worker only
 * ever holds one batch (about 1 MB of lines), so small heaps cut the peak memory of linting a 1 GB
 * file by about 100 MB per worker, and measured 20% less CPU (less garbage to trace). The young
 * generation is 16 MB rather than 4: a batch's lines and parsed values outlived a 4 MB one and were
 * promoted, so the old generation was collected over and over (10% of the workers' CPU on the
 * 120 MB bench corpus). The old generation is 32 MB: workers ran the bench corpus within 16 MB,
 * and the 1 GB file's peak was 30 MB lower than with 48. Token counting
 * loads an encoding of 40-70 MB, hence the larger old generation when the tokens rules are on. A
 * worker that still runs out is retired (see workerPoolRunner).
 */
function workerLimits(config: ResolvedConfig): ResourceLimits {
  const tokens = ALL_RULES.some(
    (rule) =>
      rule.family === 'tokens' && severityOf(config, rule.code, rule.family, rule.defaultSeverity) !== 'off',
  );
  // TUNESMITH_WORKER_HEAP_MB lets a test starve the workers to exercise the fallback.
  const forced = Number(process.env['TUNESMITH_WORKER_HEAP_MB']);
  if (forced > 0) return { maxOldGenerationSizeMb: forced, maxYoungGenerationSizeMb: 1 };
  return { maxOldGenerationSizeMb: tokens ? 256 : 32, maxYoungGenerationSizeMb: 16 };
}

/** Starts one worker: the bundled script beside dist/cli.cjs, or the TypeScript entry from source. */
function startWorker(workerData: WorkerData): Worker {
  if (typeof __filename === 'string' && __filename.endsWith('.cjs')) {
    return new Worker(join(dirname(__filename), 'lint-worker.cjs'), {
      workerData,
      resourceLimits: workerLimits(workerData.config),
    });
  }
  // From source (tests, `node --import tsx`): workers do not inherit tsx's loader, so register it first.
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL('./worker.ts', import.meta.url).href);
  return new Worker(`import(${tsx}).then((api) => api.tsImport(${entry}, ${entry}))`, {
    resourceLimits: workerLimits(workerData.config),
    eval: true,
    workerData,
  });
}

export interface WorkerData {
  config: ResolvedConfig;
}

type Reply = { id: number; result: BatchResult } | { id: number; fatal: string };

interface Slot {
  worker: Worker;
  /** Batches sent to this worker and not yet answered, kept so they can be re-run if it dies. */
  pending: Map<number, { lines: LineInput[]; resolve: (r: BatchResult) => void; reject: (e: Error) => void }>;
}

/**
 * A pool of worker threads, each with its own `LinePass`; batches go to the least busy worker. A
 * worker that dies (out of its small heap on a pathological batch) is retired and its unanswered
 * batches are linted in this thread instead, so the file is still linted completely.
 */
export function workerPoolRunner(
  config: ResolvedConfig,
  size = availableParallelism(),
  onWorkerLost: (reason: string) => void = () => {},
): LineRunner {
  const slots: Slot[] = [];
  let fallback: LineRunner | undefined;
  let nextId = 0;
  let closing = false;
  const runHere = (lines: LineInput[]): Promise<BatchResult> =>
    (fallback ??= inThreadRunner(config)).run(lines);

  const start = (): Slot => {
    const slot: Slot = { worker: startWorker({ config }), pending: new Map() };
    slot.worker.on('message', (reply: Reply) => {
      const waiter = slot.pending.get(reply.id);
      slot.pending.delete(reply.id);
      if ('fatal' in reply) waiter?.reject(new Error(reply.fatal));
      else waiter?.resolve(reply.result);
    });
    const retire = (reason: unknown): void => {
      const index = slots.indexOf(slot);
      if (index === -1 || closing) return;
      slots.splice(index, 1);
      onWorkerLost(reason instanceof Error ? reason.message : `exit code ${String(reason)}`);
      for (const waiter of slot.pending.values()) runHere(waiter.lines).then(waiter.resolve, waiter.reject);
      slot.pending.clear();
    };
    slot.worker.on('error', retire);
    slot.worker.on('exit', retire);
    return slot;
  };
  for (let i = 0; i < Math.max(1, size); i++) slots.push(start());

  return {
    // Two batches per worker keep every worker fed while bounding the text held in memory.
    capacity: slots.length * 2,
    run(lines) {
      if (slots.length === 0) return runHere(lines);
      const slot = slots.reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
      const id = nextId++;
      return new Promise((resolve, reject) => {
        slot.pending.set(id, { lines, resolve, reject });
        slot.worker.postMessage({ id, lines });
      });
    },
    async close() {
      closing = true;
      await Promise.all(slots.map((slot) => slot.worker.terminate()));
      await fallback?.close();
    },
  };
}
