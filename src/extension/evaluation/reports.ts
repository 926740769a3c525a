/**
 * Reading evaluation reports from disk for the panel, the diff editor's documents and the exports:
 * one cache of parsed, schema-checked reports, keyed by path and re-read when the file's identity
 * changes (a re-evaluation renames a new file into place: new inode, size or mtime). Problems name
 * the file. Also the other reports of a run's `evaluations/` folder. No `vscode` here.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { checkEvaluationReport, type EvaluationReport } from '../../shared/evaluation-report.ts';
import type { OtherReport } from '../../shared/evaluation-protocol.ts';

export type ReadResult =
  { ok: true; report: EvaluationReport; stamp: string } | { ok: false; problem: string };

/** What identifies one version of a file; undefined when it is not there. */
export async function fileStamp(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path);
    return `${info.ino}:${info.size}:${info.mtimeMs}`;
  } catch {
    return undefined;
  }
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export async function readReport(path: string): Promise<ReadResult> {
  const stamp = await fileStamp(path);
  if (stamp === undefined) return { ok: false, problem: `${path} is not there (moved or deleted?).` };
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    return { ok: false, problem: `${path} could not be read: ${describe(error)}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `${path} is not valid JSON: ${describe(error)}` };
  }
  const checked = checkEvaluationReport(value);
  return checked.ok
    ? { ok: true, report: checked.report, stamp }
    : { ok: false, problem: `${path} is ${checked.problem}` };
}

/** Parsed reports by path; a read of an unchanged file costs a stat. */
export class ReportStore {
  private readonly cache = new Map<string, Extract<ReadResult, { ok: true }>>();

  async get(path: string): Promise<ReadResult> {
    const cached = this.cache.get(path);
    if (cached && cached.stamp === (await fileStamp(path))) return cached;
    const result = await readReport(path);
    if (result.ok) this.cache.set(path, result);
    else this.cache.delete(path);
    return result;
  }

  /** Drops a report nobody shows any more (its memory can be most of a large report's tokens). */
  forget(path: string): void {
    this.cache.delete(path);
  }
}

/**
 * The report without its examples' tokens (sent to the page on demand), and whether any had them. The
 * examples are shallow copies: the cached report keeps its tokens.
 */
export function withoutTokens(report: EvaluationReport): { report: EvaluationReport; tokens: boolean } {
  let tokens = false;
  const examples = report.examples.map((example) => {
    if (!example.tokens) return example;
    tokens = true;
    const { tokens: _tokens, ...rest } = example;
    return rest;
  });
  return { report: { ...report, examples }, tokens };
}

/** An example by its `index` (its position, unless the report lists them otherwise). */
export function exampleAt(report: EvaluationReport, index: number) {
  const at = report.examples[index];
  return at?.index === index ? at : report.examples.find((example) => example.index === index);
}

/** A path the report names (held-out file, predictions), relative ones read from the report's folder. */
export const sourcePath = (reportPath: string, path: string): string =>
  isAbsolute(path) ? path : resolve(dirname(reportPath), path);

/** The file an example's `line` refers to: the held-out file, else the predictions file. */
export function lineFile(reportPath: string, report: EvaluationReport): string | undefined {
  const path = report.source.heldout?.path ?? report.source.predictions?.path;
  return path === undefined ? undefined : sourcePath(reportPath, path);
}

/** The `.json` files of a folder, sorted (none when it cannot be read). */
async function reportPaths(folder: string): Promise<string[]> {
  try {
    const names = await readdir(folder);
    return names
      .filter((name) => name.endsWith('.json') && !name.startsWith('.'))
      .sort()
      .map((name) => join(folder, name));
  } catch {
    return [];
  }
}

/** The `.json` files beside a report in a run's `evaluations/` folder (none for a report elsewhere). */
export async function siblingPaths(path: string): Promise<string[]> {
  const folder = dirname(path);
  return basename(folder) === 'evaluations' ? reportPaths(folder) : [];
}

/**
 * The reports of a run's `evaluations/` folder as chart points, in step order, each read once per
 * version of its file (only its summary is kept); the ones that do not parse are left out.
 */
export class OtherReports {
  private readonly summaries = new Map<string, { stamp: string; entry: Omit<OtherReport, 'current'> }>();

  /** The reports beside `path` (itself marked `current`). */
  list(path: string): Promise<OtherReport[]> {
    return this.read(siblingPaths(path), path);
  }

  /** A run's evaluations (`<run>/evaluations/*.json`), none marked current: the Training Runs view's children. */
  ofRun(dir: string): Promise<OtherReport[]> {
    return this.read(reportPaths(join(dir, 'evaluations')), undefined);
  }

  private async read(paths: Promise<string[]>, path: string | undefined): Promise<OtherReport[]> {
    const others: OtherReport[] = [];
    for (const other of await paths) {
      const stamp = await fileStamp(other);
      if (stamp === undefined) continue;
      let summary = this.summaries.get(other);
      if (summary?.stamp !== stamp) {
        const result = await readReport(other);
        if (!result.ok) continue;
        summary = { stamp: result.stamp, entry: summarize(other, result.report) };
        this.summaries.set(other, summary);
      }
      others.push({ ...summary.entry, current: other === path });
    }
    // In training order: by step, reports of no run step last, then by name.
    const step = (other: OtherReport) => other.step ?? Number.POSITIVE_INFINITY;
    return others.sort((a, b) => step(a) - step(b) || a.id.localeCompare(b.id));
  }
}

function summarize(path: string, report: EvaluationReport): Omit<OtherReport, 'current'> {
  const entry: Omit<OtherReport, 'current'> = {
    path,
    id: report.id,
    primary: report.primary,
    metrics: { tuned: report.metrics.tuned },
  };
  if (report.run?.step !== undefined) entry.step = report.run.step;
  if (report.metrics.base) entry.metrics.base = report.metrics.base;
  return entry;
}
