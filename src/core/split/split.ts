/**
 * Splitting a dataset into training and validation files with no exact or near duplicate across the
 * split: the one implementation behind `tunesmith split` and the editor's "Split off a validation
 * set". Streams the file twice: once for similarity sketches (~80 bytes per line), once to copy each
 * line's bytes verbatim to its side. Outputs are written to temporary files and renamed, and never
 * replace existing files without `force`. The result is typed: callers word it for their surface.
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import type { ResolvedConfig } from '../engine/config.ts';
import { answerTurn } from '../engine/formats.ts';
import { LinePass } from '../engine/linter.ts';
import { readLineBatches, type RawLine } from '../engine/reader.ts';
import type { LineContext } from '../engine/rule.ts';
import { lineSimilarityFacts, SketchStore } from '../rules/consistency/near-duplicate.ts';
import {
  FileProblem,
  describeError,
  regularInput,
  sameFile,
  sniffText,
  type InputFile,
} from '../io/files.ts';
import { SafeFile } from '../io/safe-write.ts';
import { assignValidation, groupCount, groupSimilar, groupSize, type Groups } from './plan.ts';

/** More distinct values than this and the field is not a class label. */
const MAX_STRATA = 1000;
const NO_VALUE = '(none)';

/** The seed when none is given: the editor's split of a file is the one `tunesmith split` makes. */
export const DEFAULT_SPLIT_SEED = 42;

interface SplitOptions {
  /** Share of examples for validation, strictly between 0 and 1. */
  fraction: number;
  /** Seed of the random assignment; the same seed gives the same split. */
  seed: number;
  /** Keep the proportions of each value of this top-level field ("answer": the answer). */
  stratifyBy?: string | undefined;
  /** Where the two files go. */
  outDir: string;
  /** Replace output files that already exist. */
  force: boolean;
}

interface SplitPaths {
  train: string;
  validation: string;
}

interface SplitSummary {
  paths: SplitPaths;
  seed: number;
  examples: number;
  validationExamples: number;
  /** Groups of more than one duplicate or near-duplicate example, each kept on one side. */
  keptGroups: number;
  keptExamples: number;
  /** Blank lines, kept in the training file. */
  blank: number;
  /** Per value of the stratify field, when there is one, in order of first appearance. */
  strata: { field: string; value: string; train: number; validation: number }[];
}

type SplitError =
  /** Output files exist and `force` is off: the caller may offer them, or to replace them. */
  | { kind: 'exists'; paths: string[] }
  /** Anything else that stopped the split; `message` names the file or the option. */
  | { kind: 'problem'; message: string };

type SplitOutcome = { ok: true; summary: SplitSummary } | { ok: false; error: SplitError };

/** Where the split of `file` goes in `outDir`: `STEM.train.jsonl` and `STEM.val.jsonl`. */
function splitPaths(file: string, outDir: string): SplitPaths {
  const name = basename(file);
  const stem = extname(name) === '.jsonl' ? name.slice(0, -'.jsonl'.length) : name;
  return { train: join(outDir, `${stem}.train.jsonl`), validation: join(outDir, `${stem}.val.jsonl`) };
}

/** A problem the user can act on; caught at the edge of `splitDataset`, never escapes it. */
class SplitProblem extends Error {}

/**
 * Splits `file` under `config` (the caller's resolved configuration: the same one its diagnostics
 * use). On any failure neither output is touched.
 */
export async function splitDataset(
  file: string,
  options: SplitOptions,
  config: ResolvedConfig,
): Promise<SplitOutcome> {
  try {
    return { ok: true, summary: await split(resolve(file), options, config) };
  } catch (error) {
    if (error instanceof ExistingOutputs) return { ok: false, error: { kind: 'exists', paths: error.paths } };
    if (error instanceof SplitProblem)
      return { ok: false, error: { kind: 'problem', message: error.message } };
    // A file system error (a full disk, a folder without write permission): the outputs are untouched.
    const errno = error as NodeJS.ErrnoException;
    if (errno.syscall !== undefined) {
      const where = errno.path === undefined ? '' : `${errno.path}: `;
      return { ok: false, error: { kind: 'problem', message: `${where}${describeError(error)}` } };
    }
    throw error;
  }
}

class ExistingOutputs extends Error {
  constructor(readonly paths: string[]) {
    super(describeExisting(paths));
  }
}

/** "A and B already exist": the start of what each surface says about an `exists` error. */
export function describeExisting(paths: readonly string[]): string {
  return `${paths.join(' and ')} already exist${paths.length === 1 ? 's' : ''}`;
}

/** The summary as lines of text, as `tunesmith split` prints it and the editor shows it. */
export function describeSplit(file: string, summary: SplitSummary): string[] {
  const { paths, examples, validationExamples: val } = summary;
  const percent = (n: number, of: number): string => `${of === 0 ? 0 : ((100 * n) / of).toFixed(1)}%`;
  const lines = [
    `${basename(file)}: ${examples} examples → ${examples - val} in ${paths.train}, ${val} (${percent(val, examples)}) in ${paths.validation} (seed ${summary.seed})`,
    `${summary.keptGroups} groups of duplicate or near-duplicate examples (${summary.keptExamples} examples) kept on one side`,
  ];
  if (summary.blank > 0) lines.push(`${summary.blank} blank lines kept in the training file`);
  for (const { field, value, train, validation } of summary.strata)
    lines.push(
      `  ${field}=${JSON.stringify(value.slice(0, 40))}: ${train} train, ${validation} validation (${percent(validation, train + validation)})`,
    );
  return lines;
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
        throw new SplitProblem(
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
            throw new SplitProblem(
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
      throw new SplitProblem(`${basename(file)} changed while it was being split; run again`);
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

/** Plans the split of `file` (shown as `shown`) and writes both sides; on any failure neither output is touched. */
async function writeSplit(
  file: string,
  shown: string,
  options: SplitOptions,
  config: ResolvedConfig,
  paths: SplitPaths,
): Promise<Written> {
  try {
    sniffText(file);
  } catch (error) {
    if (error instanceof FileProblem) throw new SplitProblem(`${basename(shown)}: ${error.message}`);
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

async function split(file: string, options: SplitOptions, config: ResolvedConfig): Promise<SplitSummary> {
  if (!(options.fraction > 0 && options.fraction < 1))
    throw new SplitProblem(`the validation share must be between 0 and 1, got ${options.fraction}`);
  const paths = splitPaths(file, options.outDir);
  if (!existsSync(file)) throw new SplitProblem(`${file}: no such file`);
  if (!existsSync(options.outDir)) throw new SplitProblem(`${options.outDir}: no such folder`);
  if ([paths.train, paths.validation].some((path) => resolve(path) === file || sameFile(path, file)))
    throw new SplitProblem('the output would overwrite the input; use --out-dir');
  if (!options.force) {
    const existing = [paths.train, paths.validation].filter((path) => existsSync(path));
    if (existing.length > 0) throw new ExistingOutputs(existing);
  }

  let input: InputFile;
  try {
    input = await regularInput(file);
  } catch (error) {
    if (error instanceof FileProblem) throw new SplitProblem(`${basename(file)}: ${error.message}`);
    throw error;
  }
  let written: Written;
  try {
    written = await writeSplit(input.path, file, options, config, paths);
  } finally {
    input.close();
  }
  const { scanned, ids, groups, isValidation } = written;

  let keptGroups = 0;
  let keptExamples = 0;
  for (let g = 0; g < groupCount(groups); g++) {
    const n = groupSize(groups, g);
    if (n > 1) {
      keptGroups++;
      keptExamples += n;
    }
  }
  const strata: SplitSummary['strata'] = [];
  if (options.stratifyBy !== undefined) {
    const field = options.stratifyBy;
    const counts = scanned.strata.map(() => ({ train: 0, validation: 0 }));
    for (const id of ids) counts[scanned.stratum[id]!]![isValidation[id] ? 'validation' : 'train']++;
    scanned.strata.forEach((value, i) => strata.push({ field, value, ...counts[i]! }));
  }
  return {
    paths,
    seed: options.seed,
    examples: ids.length,
    validationExamples: ids.reduce((sum, id) => sum + isValidation[id]!, 0),
    keptGroups,
    keptExamples,
    blank: scanned.blank,
    strata,
  };
}
