/**
 * The split request: the editor's "Split off a validation set" runs the core's `splitDataset`, the
 * one `tunesmith split` runs, under the resolved configuration the file's diagnostics use.
 */
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ResolvedConfig } from '../../core/engine/config.ts';
import {
  DEFAULT_SPLIT_SEED,
  describeExisting,
  describeSplit,
  splitDataset as split,
} from '../../core/split/split.ts';
import type { SplitParams, SplitResult } from '../../shared/protocol.ts';

export async function splitDataset(
  { uri, fraction }: SplitParams,
  config: ResolvedConfig,
): Promise<SplitResult> {
  if (!uri.startsWith('file:')) return { error: 'Only a dataset saved on disk can be split.' };
  const file = fileURLToPath(uri);
  const outcome = await split(
    file,
    { fraction, seed: DEFAULT_SPLIT_SEED, outDir: dirname(file), force: false },
    config,
  );
  if (!outcome.ok) {
    const { error } = outcome;
    if (error.kind === 'exists')
      return { error: `${describeExisting(error.paths)}: choose them, or delete them to split again.` };
    return { error: `${error.message}.` };
  }
  const { paths } = outcome.summary;
  return {
    train: pathToFileURL(paths.train).href,
    validation: pathToFileURL(paths.validation).href,
    report: describeSplit(file, outcome.summary).join('\n'),
  };
}
