/**
 * `tunesmith split FILE --val 0.1 [--seed N] [--stratify-by FIELD] [--out-dir D] [--force]`
 *
 * Writes FILE's training and validation files with no exact or near duplicate across the split.
 * Streams FILE twice: once for similarity sketches (~80 bytes per line), once to copy each line's
 * bytes verbatim to its side. Outputs are written to temporary files and renamed, and never replace
 * existing files without --force.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveConfig, type ResolvedConfig } from '../../core/engine/config.ts';
import { answerTurn } from '../../core/engine/formats.ts';
import { LinePass } from '../../core/engine/linter.ts';
import { readLineBatches, type RawLine } from '../../core/engine/reader.ts';
import type { LineContext } from '../../core/engine/rule.ts';
import { lineSimilarityFacts, SketchStore } from '../../core/rules/consistency/near-duplicate.ts';
import { EXIT, UsageError, type Command, type CommandIO } from '../command.ts';
import { FileProblem, describeError, regularInput, sameFile, sniffText, type InputFile } from '../../core/io/files.ts';
import { SafeFile } from '../../core/io/safe-write.ts';
import { assignValidation, groupCount, groupSimilar, groupSize, type Groups } from '../../core/split/plan.ts';

const USAGE = `Usage: tunesmith split FILE --val FRACTION [--seed N] [--stratify-by FIELD] [--out-dir DIR] [--force]

Splits FILE into FILE.train.jsonl and FILE.val.jsonl, keeping exact and near-duplicate examples on
the same side so that validation never sees a copy of a training example.

  --val FRACTION       share of examples for validation, between 0 and 1 (e.g. 0.1)
  --seed N             seed of the random assignment (default 42); the same seed gives the same split
  --stratify-by FIELD  keep the proportions of each value of a top-level field ("answer": the answer)
  --out-dir DIR        where to write the two files (default: FILE's folder)
  --force              replace output files that already exist
`;

/** More distinct values than this and the field is not a class label. */
const MAX_STRATA = 1000;
const NO_VALUE = '(none)';

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
  const seed = values.seed === undefined ? 42 : Number(values.seed);
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

/** `tunesmith.json` in the working folder, if any; problems are warnings, never fatal. */
function loadConfig(io: CommandIO): ResolvedConfig {
  const path = join(io.cwd, 'tunesmith.json');
  if (!existsSync(path)) return resolveConfig(undefined).config;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    io.stderr(
      `tunesmith.json: ${error instanceof Error ? error.message : String(error)}; using the defaults\n`,
    );
    return resolveConfig(undefined).config;
  }
  const { config, problems } = resolveConfig(raw);
  for (const problem of problems) io.stderr(`tunesmith.json: ${problem}\n`);
  return config;
}

export function outputPaths(file: string, outDir: string): { train: string; validation: string } {
  const name = basename(file);
  const stem = extname(name) === '.jsonl' ? name.slice(0, -'.jsonl'.length) : name;
  return { train: join(outDir, `${stem}.train.jsonl`), validation: join(outDir, `${stem}.val.jsonl`) };
}

/** The stratum value of a line: a top-level scalar field, or the answer when FIELD is "answer". */
function stratumValue(context: LineContext, field: string): string {
  const value = context.json?.ok ? context.json.value : undefined;
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && field in value) {
    const raw = (value as Record<string, unknown>)[field];
    if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
    return NO_VALUE;
  }
  if (field === 'answer' && context.example) {
    const content = answerTurn(context.example)?.content;
    if (content !== undefined) return content.trim();
  }
  return NO_VALUE;
}

interface Scan {
  store: SketchStore;
  lineCount: number;
  blank: number;
  bom: boolean;
  stratum: Int32Array;
  strata: string[];
}

async function scan(file: string, config: ResolvedConfig, stratifyBy: string | undefined): Promise<Scan> {
  const pass = new LinePass(config, []);
  const store = new SketchStore();
  let stratum = new Int32Array(1024);
  const strataIds = new Map<string, number>();
  let lineCount = 0;
  let blank = 0;
  let bom = false;
  for await (const batch of readLineBatches(file, { maxLineLength: config.maxLineLength })) {
    for (const line of batch) {
      lineCount = line.line + 1;
      if (line.bom) bom = true;
      if (line.truncatedLength === undefined && line.text.trim() === '') {
        blank++;
        continue;
      }
      // Never decoded, so it cannot be compared with the others, and a split that copies it puts a line no
      // trainer can parse into one side: refused, naming it (the reader never held it whole).
      if (line.truncatedLength !== undefined)
        throw new UsageError(
          `${basename(file)}:${line.line + 1}: line of ${line.truncatedLength} characters, over maxLineLength ${config.maxLineLength}; fix or remove it, then split`,
        );
      const context = pass.context(line);
      store.add(line.line, lineSimilarityFacts(context));
      if (stratifyBy !== undefined) {
        const value = stratumValue(context, stratifyBy);
        let id = strataIds.get(value);
        if (id === undefined) {
          id = strataIds.size;
          if (id >= MAX_STRATA)
            throw new UsageError(
              `--stratify-by ${stratifyBy} has more than ${MAX_STRATA} distinct values; it is not a class label`,
            );
          strataIds.set(value, id);
        }
        if (line.line >= stratum.length) {
          const grown = new Int32Array(Math.max(line.line + 1, stratum.length * 2));
          grown.set(stratum);
          stratum = grown;
        }
        stratum[line.line] = id;
      }
    }
  }
  return { store, lineCount, blank, bom, stratum, strata: [...strataIds.keys()] };
}

/** Copies each line's bytes to its side; lines are at most maxLineLength, so a batch's bytes are bounded. */
async function copyLines(
  file: string,
  config: ResolvedConfig,
  side: (line: RawLine) => SafeFile,
  expectedLines: number,
  targets: SafeFile[],
): Promise<void> {
  const fd = openSync(file, 'r');
  try {
    let seen = 0;
    for await (const batch of readLineBatches(file, { maxLineLength: config.maxLineLength })) {
      const start = batch[0]!.byteOffset;
      const last = batch[batch.length - 1]!;
      const bytes = Buffer.alloc(last.byteOffset + last.byteLength - start);
      let read = 0;
      while (read < bytes.length) {
        const n = readSync(fd, bytes, read, bytes.length - read, start + read);
        if (n === 0) break;
        read += n;
      }
      for (const line of batch) {
        if (line.line === 0 && line.bom)
          for (const target of targets) target.write(Buffer.from([0xef, 0xbb, 0xbf]));
        side(line).write(bytes.subarray(line.byteOffset - start, line.byteOffset - start + line.byteLength));
        seen = line.line + 1;
      }
    }
    if (seen !== expectedLines)
      throw new UsageError(`${basename(file)} changed while it was being split; run again`);
  } finally {
    closeSync(fd);
  }
}

interface Written {
  scanned: Scan;
  ids: Uint32Array;
  groups: Groups;
  isValidation: Uint8Array;
}

/** Plans the split of `file` and writes both sides; on any failure neither output is touched. */
async function writeSplit(
  file: string,
  options: Options,
  config: ResolvedConfig,
  paths: { train: string; validation: string },
): Promise<Written> {
  try {
    sniffText(file);
  } catch (error) {
    if (error instanceof FileProblem) throw new UsageError(`${basename(options.file)}: ${error.message}`);
    throw error;
  }
  const scanned = await scan(file, config, options.stratifyBy);
  const ids = scanned.store.set.ids();
  const groups = groupSimilar(
    scanned.store,
    ids,
    scanned.store.set.end,
    config.consistency.nearDuplicateThreshold,
    (id) => (options.stratifyBy === undefined ? 0 : scanned.stratum[id]!),
  );
  const isValidation = assignValidation(groups, options.fraction, options.seed, scanned.lineCount);
  const train = new SafeFile(paths.train);
  let validation: SafeFile | undefined;
  try {
    validation = new SafeFile(paths.validation);
    const targets = [train, validation];
    await copyLines(
      file,
      config,
      (line) => (isValidation[line.line] ? validation! : train),
      scanned.lineCount,
      targets,
    );
    train.commit();
    validation.commit();
  } finally {
    train.abort();
    validation?.abort();
  }
  return { scanned, ids, groups, isValidation };
}

async function split(options: Options, io: CommandIO): Promise<number> {
  const config = loadConfig(io);
  const paths = outputPaths(options.file, options.outDir);
  if (!existsSync(options.file)) throw new UsageError(`${options.file}: no such file`);
  if (!existsSync(options.outDir)) throw new UsageError(`${options.outDir}: no such folder`);
  if (
    [paths.train, paths.validation].some(
      (path) => resolve(path) === options.file || sameFile(path, options.file),
    )
  )
    throw new UsageError('the output would overwrite the input; use --out-dir');
  if (!options.force) {
    const existing = [paths.train, paths.validation].filter((path) => existsSync(path));
    if (existing.length > 0)
      throw new UsageError(
        `${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''}; use --force to replace`,
      );
  }

  let input: InputFile;
  try {
    input = await regularInput(options.file);
  } catch (error) {
    if (error instanceof FileProblem) throw new UsageError(`${basename(options.file)}: ${error.message}`);
    throw error;
  }
  let written: Written;
  try {
    written = await writeSplit(input.path, options, config, paths);
  } finally {
    input.close();
  }
  const { scanned, ids, groups, isValidation } = written;

  const examples = ids.length;
  const valExamples = ids.reduce((sum, id) => sum + isValidation[id]!, 0);
  let keptGroups = 0;
  let keptExamples = 0;
  for (let g = 0; g < groupCount(groups); g++) {
    const n = groupSize(groups, g);
    if (n > 1) {
      keptGroups++;
      keptExamples += n;
    }
  }
  const percent = (n: number, of: number): string => `${of === 0 ? 0 : ((100 * n) / of).toFixed(1)}%`;
  io.stdout(
    `${basename(options.file)}: ${examples} examples → ${examples - valExamples} in ${paths.train}, ${valExamples} (${percent(valExamples, examples)}) in ${paths.validation} (seed ${options.seed})\n`,
  );
  io.stdout(
    `${keptGroups} groups of duplicate or near-duplicate examples (${keptExamples} examples) kept on one side\n`,
  );
  if (scanned.blank > 0) io.stdout(`${scanned.blank} blank lines kept in the training file\n`);
  if (options.stratifyBy !== undefined) {
    const counts = scanned.strata.map(() => ({ train: 0, validation: 0 }));
    for (const id of ids) counts[scanned.stratum[id]!]![isValidation[id] ? 'validation' : 'train']++;
    scanned.strata.forEach((value, i) => {
      const { train: t, validation: v } = counts[i]!;
      io.stdout(
        `  ${options.stratifyBy}=${JSON.stringify(value.slice(0, 40))}: ${t} train, ${v} validation (${percent(v, t + v)})\n`,
      );
    });
  }
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
    // A file system error (a full disk, a folder without write permission): the outputs are untouched.
    const errno = error as NodeJS.ErrnoException;
    if (errno.syscall !== undefined) {
      const where = errno.path === undefined ? '' : `${errno.path}: `;
      io.stderr(`tunesmith split: ${where}${describeError(error)}\n`);
      return EXIT.usage;
    }
    throw error;
  }
};
