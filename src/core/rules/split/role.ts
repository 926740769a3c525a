/** Which side of a train/validation split a file is on, from the `split.train` / `split.validation` globs. */
import { relative, sep } from 'node:path';
import { minimatch } from 'minimatch';
import type { ResolvedConfig } from '../../engine/config.ts';

export type SplitRole = 'train' | 'validation';

function matchesAny(path: string, globs: readonly string[]): boolean {
  return globs.some((glob) => minimatch(path, glob, { dot: true, nocase: true }));
}

/**
 * The role of a file, or undefined when it matches neither list or both (`train_eval.jsonl`): an
 * ambiguous file is left out of the leakage check rather than guessed. Paths are matched relative to
 * `root` when given, with forward slashes on every platform.
 */
export function splitRole(path: string, config: ResolvedConfig, root?: string): SplitRole | undefined {
  let subject = root ? relative(root, path) : path;
  if (sep === '\\') subject = subject.replaceAll('\\', '/');
  const train = matchesAny(subject, config.split.train);
  const validation = matchesAny(subject, config.split.validation);
  if (train === validation) return undefined;
  return train ? 'train' : 'validation';
}
