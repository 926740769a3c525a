/**
 * Linting several files under one configuration: one lazily started worker pool (or the in-thread
 * runner), rule errors, and the workspace checkers (`split/leakage`) across the files, fed with the
 * line facts of every file whose name puts it on one side of the split.
 */
import type { ResolvedConfig } from '../engine/config.ts';
import { LinePass } from '../engine/linter.ts';
import { FileLines } from '../engine/reader.ts';
import type { LineAccess } from '../engine/rule.ts';
import type { Finding } from '../engine/types.ts';
import { ALL_CHECKERS } from '../rules/index.ts';
import { splitRole } from '../rules/split/index.ts';
import { fileSize, lintFile, type LineIndex, type LintedFile } from './lint-file.ts';
import { describeRuleError, inThreadRunner, workerPoolRunner, type LineRunner } from './runner.ts';
import { WorkspaceLint } from './workspace.ts';

/** Below this size, starting workers costs more than it saves. */
const POOL_THRESHOLD_BYTES = 4 << 20;

interface SessionEvents {
  /** "internal error in rule X on line N: ..." */
  onRuleError(message: string): void;
  /** A worker stopped; its lines are linted in this thread. */
  onWorkerLost(reason: string): void;
}

export class LintSession {
  private pool: LineRunner | undefined;
  private local: LineRunner | undefined;
  private readonly pass: LinePass;
  private readonly workspace: WorkspaceLint;
  private readonly files = new Map<string, { path: string; lines: LineIndex }>();

  constructor(
    readonly config: ResolvedConfig,
    /** Worker threads; 0 lints in this thread; undefined picks by file size. */
    private readonly threads: number | undefined,
    private readonly events: SessionEvents,
  ) {
    this.pass = new LinePass(config, ALL_CHECKERS);
    this.workspace = new WorkspaceLint(config, ALL_CHECKERS, {
      kind: 'lines',
      datasetCheckers: this.pass.datasetCheckers,
    });
  }

  private runnerFor(size: number): LineRunner {
    const useWorkers = this.threads === undefined ? size >= POOL_THRESHOLD_BYTES : this.threads > 0;
    if (!useWorkers) return (this.local ??= inThreadRunner(this.config));
    return (this.pool ??= workerPoolRunner(this.config, this.threads, this.events.onWorkerLost));
  }

  /** Lints one file; `shown` names it in cross-file findings and decides its side of the split. */
  async lint(path: string, shown: string, onProgress?: (bytes: number) => void): Promise<LintedFile> {
    // Off, lines are not even kept (their sketches would cost ~80 bytes each for nothing).
    const role = this.workspace.on ? splitRole(shown, this.config) : undefined;
    const runner = this.runnerFor(fileSize(path));
    const linted = await lintFile(path, {
      config: this.config,
      runner,
      // The workers' heaps are released before the dataset report, the peak of a big file's memory.
      afterLines: async () => {
        if (runner === this.pool) {
          this.pool = undefined;
          await runner.close();
        }
      },
      onRuleError: this.events.onRuleError,
      ...(onProgress ? { onProgress } : {}),
      ...(role
        ? {
            onFacts: (line: number, facts: readonly unknown[]) =>
              void this.workspace.addLine(shown, role, line, facts),
          }
        : {}),
    });
    if (role) this.files.set(shown, { path, lines: linted.lines });
    return linted;
  }

  /** The workspace checkers' findings by file, once every file has been linted. */
  async workspaceFindings(): Promise<Map<string, Finding[]>> {
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
      return await this.workspace.report(access, [], (codes, error) =>
        this.events.onRuleError(describeRuleError(codes, undefined, error)),
      );
    } finally {
      for (const reader of readers) reader.close();
    }
  }

  async close(): Promise<void> {
    await this.pool?.close();
    await this.local?.close();
  }
}
