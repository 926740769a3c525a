/**
 * What every linting command shares: one configuration, one lazily started worker pool, rule errors,
 * and the cross-file train/validation leakage index (`split/leakage`), fed with the near-duplicate
 * checker's facts of every file whose name puts it on one side of the split.
 */
import { severityOf, type ResolvedConfig } from '../core/engine/config.ts';
import { LinePass } from '../core/engine/linter.ts';
import { FileLines } from '../core/engine/reader.ts';
import type { LineAccess } from '../core/engine/rule.ts';
import type { Finding } from '../core/engine/types.ts';
import type { SimilarityFacts } from '../core/rules/consistency/near-duplicate.ts';
import { ALL_CHECKERS } from '../core/rules/index.ts';
import { LEAKAGE, LeakageIndex, splitRole } from '../core/rules/split/index.ts';
import type { CommandIO } from './command.ts';
import { UsageError } from './command.ts';
import { describeRuleError, inThreadRunner, workerPoolRunner, type LineRunner } from '../core/lint/runner.ts';
import { FileProblem, regularInput, type InputFile } from '../core/io/files.ts';
import { fileSize, lintFile, type LineIndex, type LintedFile } from '../core/lint/lint-file.ts';

/** Below this size, starting workers costs more than it saves. */
const POOL_THRESHOLD_BYTES = 4 << 20;

export function parseThreads(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const threads = Number(value);
  if (!Number.isInteger(threads) || threads < 0 || threads > 256) {
    throw new UsageError(`--threads ${value}: expected a whole number from 0 (no workers) to 256`);
  }
  return threads;
}

export class LintSession {
  private pool: LineRunner | undefined;
  private local: LineRunner | undefined;
  private readonly pass: LinePass;
  private readonly leakage: LeakageIndex | undefined;
  /** Position of the checker whose facts feed the leakage index, in every facts array. */
  private readonly leakageFacts: number;
  private readonly files = new Map<string, { path: string; lines: LineIndex }>();
  ruleErrors = 0;

  constructor(
    private readonly io: CommandIO,
    readonly config: ResolvedConfig,
    /** Worker threads; 0 lints in this thread; undefined picks by file size. */
    private readonly threads: number | undefined,
  ) {
    this.pass = new LinePass(config, ALL_CHECKERS);
    this.leakageFacts = this.pass.datasetCheckers.findIndex((c) =>
      c.rules.some((r) => r.code === LEAKAGE.code),
    );
    const on = severityOf(config, LEAKAGE.code, LEAKAGE.family, LEAKAGE.defaultSeverity) !== 'off';
    this.leakage = on && this.leakageFacts !== -1 ? new LeakageIndex(config) : undefined;
  }

  private runnerFor(size: number): LineRunner {
    const useWorkers = this.threads === undefined ? size >= POOL_THRESHOLD_BYTES : this.threads > 0;
    if (!useWorkers) return (this.local ??= inThreadRunner(this.config));
    return (this.pool ??= workerPoolRunner(this.config, this.threads, (reason) =>
      this.io.stderr(
        `tunesmith: a lint worker stopped (${reason}); its lines are linted in the main thread\n`,
      ),
    ));
  }

  private ruleError = (message: string): void => {
    this.ruleErrors++;
    this.io.stderr(`tunesmith: ${message}\n`);
  };

  /** Lints one file; `shown` names it in cross-file findings. */
  async lint(path: string, shown: string, onProgress?: (bytes: number) => void): Promise<LintedFile> {
    const role = this.leakage ? splitRole(shown, this.config) : undefined;
    const leakage = this.leakage;
    const runner = this.runnerFor(fileSize(path));
    const options = {
      config: this.config,
      runner,
      // The workers' heaps are released before the dataset report, the peak of a big file's memory.
      afterLines: async () => {
        if (runner === this.pool) {
          this.pool = undefined;
          await runner.close();
        }
      },
      onRuleError: this.ruleError,
      ...(onProgress ? { onProgress } : {}),
      ...(leakage && role
        ? {
            onFacts: (line: number, facts: readonly unknown[]) => {
              const similarity = facts[this.leakageFacts];
              if (similarity !== undefined) leakage.add(shown, role, line, similarity as SimilarityFacts);
            },
          }
        : {}),
    };
    const linted = await lintFile(path, options);
    if (role) this.files.set(shown, { path, lines: linted.lines });
    return linted;
  }

  /** `split/leakage` findings by file, once every file has been linted. */
  leakageFindings(): Map<string, Finding[]> {
    const byFile = new Map<string, Finding[]>();
    if (!this.leakage) return byFile;
    const readers: FileLines[] = [];
    const accesses = new Map<string, LineAccess>();
    const access = (file: string): LineAccess | undefined => {
      const entry = this.files.get(file);
      if (!entry) return undefined;
      let lines = accesses.get(file);
      if (!lines) {
        const reader = new FileLines(entry.path);
        readers.push(reader);
        lines = { lineOf: (id) => id, context: (id) => this.pass.context(reader.read(entry.lines.raw(id))) };
        accesses.set(file, lines);
      }
      return lines;
    };
    try {
      for (const { file, finding } of this.leakage.report(access)) {
        const list = byFile.get(file) ?? [];
        list.push(finding);
        byFile.set(file, list);
      }
    } catch (error) {
      this.ruleError(describeRuleError([LEAKAGE.code], undefined, error));
    } finally {
      for (const reader of readers) reader.close();
    }
    return byFile;
  }

  async close(): Promise<void> {
    await this.pool?.close();
    await this.local?.close();
  }
}

/** The one FILE of `stats` and `fix`, linted; read it again at `path` and `close` it when done. */
export interface LintedInput extends LintedFile {
  /** The file itself, or the copy of a stream (a FIFO). */
  path: string;
  close(): void;
}

/** Lints one file in a session of its own; a problem with the file is a usage error naming it. */
export async function lintOneFile(
  io: CommandIO,
  config: ResolvedConfig,
  threads: number | undefined,
  path: string,
  shown: string,
): Promise<LintedInput> {
  let input: InputFile;
  try {
    input = await regularInput(path);
  } catch (error) {
    if (error instanceof FileProblem) throw new UsageError(`${shown}: ${error.message}`);
    throw error;
  }
  const session = new LintSession(io, config, threads);
  try {
    const linted = await session.lint(input.path, shown);
    return {
      ...linted,
      path: input.path,
      close: () => {
        linted.reader.close();
        input.close();
      },
    };
  } catch (error) {
    input.close();
    if (error instanceof FileProblem) throw new UsageError(`${shown}: ${error.message}`);
    throw error;
  } finally {
    await session.close();
  }
}
