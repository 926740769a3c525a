/** Which side of a train/validation split a file is on, from the `split.train` / `split.validation` globs. */
import { relative, sep } from 'node:path';
import type { ResolvedConfig } from '../../engine/config.ts';
import type { SplitRole } from '../../engine/rule.ts';
import { matchesAnyGlob } from '../../io/glob.ts';

export type { SplitRole };

/**
 * The role of a file, or undefined when it matches neither list or both (`train_eval.jsonl`): an
 * ambiguous file is left out of the leakage check rather than guessed. Paths are matched relative to
 * `root` when given, with forward slashes on every platform.
 */
export function splitRole(path: string, config: ResolvedConfig, root?: string): SplitRole | undefined {
  let subject = root ? relative(root, path) : path;
  if (sep === '\\') subject = subject.replaceAll('\\', '/');
  const train = matchesAnyGlob(subject, config.split.train, { ignoreCase: true });
  const validation = matchesAnyGlob(subject, config.split.validation, { ignoreCase: true });
  if (train === validation) return undefined;
  return train ? 'train' : 'validation';
}
