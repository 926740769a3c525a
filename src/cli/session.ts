/** What every linting command shares: one configuration, one lazily started worker pool, rule errors. */
import type { ResolvedConfig } from '../server/engine/config.ts';
import type { CommandIO } from './command.ts';
import { UsageError } from './command.ts';
import { fileSize, lintFile, type LintedFile } from './lint-file.ts';
import { inThreadRunner, workerPoolRunner, type LineRunner } from './line-runner.ts';

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
  ruleErrors = 0;

  constructor(
    private readonly io: CommandIO,
    readonly config: ResolvedConfig,
    /** Worker threads; 0 lints in this thread; undefined picks by file size. */
    private readonly threads: number | undefined,
  ) {}

  private runnerFor(size: number): LineRunner {
    const useWorkers = this.threads === undefined ? size >= POOL_THRESHOLD_BYTES : this.threads > 0;
    if (!useWorkers) return (this.local ??= inThreadRunner(this.config));
    return (this.pool ??= workerPoolRunner(this.config, this.threads));
  }

  lint(path: string, onProgress?: (bytes: number) => void): Promise<LintedFile> {
    const options = {
      config: this.config,
      runner: this.runnerFor(fileSize(path)),
      onRuleError: (message: string) => {
        this.ruleErrors++;
        this.io.stderr(`tunesmith: ${message}\n`);
      },
      ...(onProgress ? { onProgress } : {}),
    };
    return lintFile(path, options);
  }

  async close(): Promise<void> {
    await this.pool?.close();
    await this.local?.close();
  }
}
