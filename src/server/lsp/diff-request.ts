/**
 * The diff request: the editor's "Compare Dataset with Revision…" runs the core's `diffDatasets`, the
 * one `tunesmith diff` runs, under the resolved configuration the file's diagnostics use. Each side is
 * linted in a session of its own, in this thread, as the CLI does.
 */
import type { ResolvedConfig } from '../../core/engine/config.ts';
import { diffDatasets } from '../../core/diff/dataset-diff.ts';
import { FileProblem } from '../../core/io/files.ts';
import type { LintedFile } from '../../core/lint/lint-file.ts';
import { LintSession } from '../../core/lint/session.ts';
import { StatsProblem } from '../../core/stats/stats.ts';
import type { DatasetDiffParams, DatasetDiffResult } from '../../shared/protocol.ts';

async function lintSide(
  config: ResolvedConfig,
  path: string,
  shown: string,
  log: (message: string) => void,
): Promise<LintedFile> {
  const session = new LintSession(config, 0, {
    onRuleError: (message) => log(`${shown}: ${message}; the rule was skipped there`),
    onWorkerLost: () => {},
  });
  try {
    return await session.lint(path, shown);
  } finally {
    await session.close();
  }
}

export async function diffRequest(
  params: DatasetDiffParams,
  config: ResolvedConfig,
  log: (message: string) => void,
): Promise<DatasetDiffResult> {
  const linted: LintedFile[] = [];
  let current = params.old.name;
  try {
    const old = await lintSide(config, params.old.path, params.old.name, log);
    linted.push(old);
    current = params.new.name;
    const neu = await lintSide(config, params.new.path, params.new.name, log);
    linted.push(neu);
    const diff = await diffDatasets(
      { path: params.old.path, shown: params.old.name, findings: old.findings },
      { path: params.new.path, shown: params.new.name, findings: neu.findings },
      config,
      params.limit,
    );
    return { diff };
  } catch (error) {
    // What is wrong with a file or the tokenizer is said to the user; anything else is ours.
    if (error instanceof FileProblem) return { error: `${current}: ${error.message}` };
    if (error instanceof StatsProblem) return { error: error.message };
    throw error;
  } finally {
    for (const side of linted) side.reader.close();
  }
}
