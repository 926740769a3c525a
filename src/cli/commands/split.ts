/**
 * `tunesmith split FILE --val 0.1 [--seed N] [--stratify-by FIELD] [--out-dir D] [--force]`: the
 * command line of `splitDataset` (src/core/split/split.ts), under the configuration `lint` reads.
 */
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SPLIT_SEED, describeExisting, describeSplit, splitDataset } from '../../core/split/split.ts';
import { EXIT, UsageError, type Command, type CommandIO } from '../command.ts';
import { loadConfig } from '../load-config.ts';

const USAGE = `Usage: tunesmith split FILE --val FRACTION [--seed N] [--stratify-by FIELD] [--out-dir DIR] [--force]

Splits FILE into FILE.train.jsonl and FILE.val.jsonl, keeping exact and near-duplicate examples on
the same side so that validation never sees a copy of a training example.

  --val FRACTION       share of examples for validation, between 0 and 1 (e.g. 0.1)
  --seed N             seed of the random assignment (default ${DEFAULT_SPLIT_SEED}); the same seed gives the same split
  --stratify-by FIELD  keep the proportions of each value of a top-level field ("answer": the answer)
  --out-dir DIR        where to write the two files (default: FILE's folder)
  --force              replace output files that already exist
`;

interface Options {
  file: string;
  fraction: number;
  seed: number;
  stratifyBy: string | undefined;
  outDir: string;
  force: boolean;
}

function parseOptions(args: string[], cwd: string): Options | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        val: { type: 'string' },
        seed: { type: 'string' },
        'stratify-by': { type: 'string' },
        'out-dir': { type: 'string' },
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length !== 1) throw new UsageError('expected exactly one FILE to split');
  if (values.val === undefined) throw new UsageError('--val is required, e.g. --val 0.1');
  const fraction = Number(values.val);
  if (!(fraction > 0 && fraction < 1))
    throw new UsageError(`--val must be between 0 and 1, got ${values.val}`);
  const seed = values.seed === undefined ? DEFAULT_SPLIT_SEED : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0)
    throw new UsageError(`--seed must be a non-negative integer, got ${values.seed}`);
  const file = resolve(cwd, positionals[0]!);
  return {
    file,
    fraction,
    seed,
    stratifyBy: values['stratify-by'],
    outDir: values['out-dir'] === undefined ? dirname(file) : resolve(cwd, values['out-dir']),
    force: values.force === true,
  };
}

async function split(options: Options, io: CommandIO): Promise<number> {
  const { config } = loadConfig(io, undefined);
  const { file, ...splitOptions } = options;
  const outcome = await splitDataset(file, splitOptions, config);
  if (!outcome.ok) {
    const { error } = outcome;
    throw new UsageError(
      error.kind === 'exists' ? `${describeExisting(error.paths)}; use --force to replace` : error.message,
    );
  }
  for (const line of describeSplit(file, outcome.summary)) io.stdout(`${line}\n`);
  return EXIT.clean;
}

export const splitCommand: Command = async (args, io) => {
  try {
    const options = parseOptions(args, io.cwd);
    if (options === 'help') {
      io.stdout(USAGE);
      return EXIT.clean;
    }
    return await split(options, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`tunesmith split: ${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
};
