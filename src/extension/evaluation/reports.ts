/**
 * Reading evaluation reports from disk for the panel, the diff editor's documents, the exports and the
 * editor's inline results: one cache of parsed, schema-checked reports, keyed by path and re-read when
 * the file's identity changes (a re-evaluation renames a new file into place: new inode, size or
 * mtime), and beside it the summaries of reports nobody shows (which file they evaluated, when), kept
 * without their examples. Problems name the file. Also the reports of a run's `evaluations/` folder
 * and of every run of the workspace. No `vscode` here.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import {
  checkEvaluationReport,
  type CorpusMetrics,
  type EvaluationReport,
  type MetricName,
} from '../../shared/evaluation-report.ts';
import type { OtherReport } from '../../shared/evaluation-protocol.ts';
import { ReportLines } from './inline-model.ts';
import { RUN_ID } from '../../shared/webview-protocol.ts';
import { RUNS_DIR } from '../runs/run.ts';

type ReadResult = { ok: true; report: EvaluationReport; stamp: string } | { ok: false; problem: string };

/** What identifies one version of a file; undefined when it is not there. */
async function fileStamp(path: string): Promise<string | undefined> {
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

/**
 * What is known of a report without keeping its texts: enough to list it, to know its file and to
 * place its results on that file's lines.
 */
export interface ReportSummary {
  path: string;
  stamp: string;
  id: string;
  created: string;
  run?: EvaluationReport['run'];
  primary: MetricName;
  metrics: { base?: CorpusMetrics; tuned: CorpusMetrics };
  /** The file its examples' lines are in (lineFile), absolute. */
  lineFile?: string;
  examples: number;
  regressed: number;
  /** Its examples' lines and results, for the editor's lenses. */
  lines: ReportLines;
}

/** Parsed reports by path; a read of an unchanged file costs a stat. */
export class ReportStore {
  private readonly cache = new Map<string, Extract<ReadResult, { ok: true }>>();
  private readonly summaries = new Map<string, ReportSummary>();

  async get(path: string): Promise<ReadResult> {
    const cached = this.cache.get(path);
    if (cached && cached.stamp === (await fileStamp(path))) return cached;
    const result = await readReport(path);
    if (result.ok) this.cache.set(path, result);
    else this.cache.delete(path);
    return result;
  }

  /**
   * The report's summary, read once per version of its file (from the cached report when it is the
   * same version); undefined when it is not there or not a report. The texts are not kept: a
   * workspace can hold many reports of 10,000 examples that nobody opens.
   */
  async summary(path: string): Promise<ReportSummary | undefined> {
    const stamp = await fileStamp(path);
    if (stamp === undefined) {
      this.summaries.delete(path);
      return undefined;
    }
    const known = this.summaries.get(path);
    if (known?.stamp === stamp) return known;
    const cached = this.cache.get(path);
    const result = cached?.stamp === stamp ? cached : await readReport(path);
    if (!result.ok) {
      this.summaries.delete(path);
      return undefined;
    }
    const summary = summarize(path, result.stamp, result.report);
    this.summaries.set(path, summary);
    return summary;
  }

  /**
   * Drops everything kept of the reports under `dir` (a deleted run's folder): their summaries are
   * otherwise kept until someone asks for that path again, which nobody does once the run is gone.
   */
  forgetUnder(dir: string): void {
    const prefix = dir.endsWith(sep) ? dir : `${dir}${sep}`;
    for (const map of [this.cache, this.summaries])
      for (const path of map.keys()) if (path.startsWith(prefix)) map.delete(path);
  }

  /** Whether anything of the report at `path` is kept (what the tests of forgetting check). */
  holds(path: string): boolean {
    return this.cache.has(path) || this.summaries.has(path);
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

/** The `.json` files beside a report in a run's `evaluations/` folder (none for a report elsewhere). */
async function siblingPaths(path: string): Promise<string[]> {
  const folder = dirname(path);
  return basename(folder) === 'evaluations' ? reportsIn(folder) : [];
}

/** A run's evaluations folder: `<run>/evaluations`. */
export const EVALUATIONS_DIR = 'evaluations';

/**
 * The reports of every run under each root's `.tunesmith/runs/` (a run folder is one whose name is a
 * run id; its config is not needed to list what it evaluated).
 */
export async function workspaceReportPaths(roots: readonly string[]): Promise<string[]> {
  const paths: string[] = [];
  for (const root of roots) {
    const runs = join(root, RUNS_DIR);
    const entries = await readdir(runs, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isDirectory() || !RUN_ID.test(entry.name)) continue;
      for (const path of await reportsIn(join(runs, entry.name, EVALUATIONS_DIR))) paths.push(path);
    }
  }
  return paths;
}

/** The reports in a folder: its `.json` files, not the hidden temporary ones a writer renames into place. */
async function reportsIn(folder: string): Promise<string[]> {
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

/**
 * The reports of a run's `evaluations/` folder as chart points, in step order, each read once per
 * version of its file (the store's summaries); the ones that do not parse are left out.
 */
export class OtherReports {
  constructor(private readonly store: ReportStore) {}

  /** A run that is gone: what the store kept of its reports goes too. */
  forgetRun(dir: string): void {
    this.store.forgetUnder(join(dir, EVALUATIONS_DIR));
  }

  /** The reports beside `path` (itself marked `current`). */
  list(path: string): Promise<OtherReport[]> {
    return this.read(siblingPaths(path), path);
  }

  /** A run's evaluations (`<run>/evaluations/*.json`), none marked current: the Training Runs view's children. */
  ofRun(dir: string): Promise<OtherReport[]> {
    return this.read(reportsIn(join(dir, EVALUATIONS_DIR)), undefined);
  }

  private async read(paths: Promise<string[]>, path: string | undefined): Promise<OtherReport[]> {
    const others: OtherReport[] = [];
    for (const other of await paths) {
      const summary = await this.store.summary(other);
      if (!summary) continue;
      const entry: OtherReport = {
        path: other,
        id: summary.id,
        primary: summary.primary,
        metrics: summary.metrics,
        current: other === path,
      };
      if (summary.run?.step !== undefined) entry.step = summary.run.step;
      others.push(entry);
    }
    // In training order: by step, reports of no run step last, then by name.
    const step = (other: OtherReport) => other.step ?? Number.POSITIVE_INFINITY;
    return others.sort((a, b) => step(a) - step(b) || a.id.localeCompare(b.id));
  }
}

function summarize(path: string, stamp: string, report: EvaluationReport): ReportSummary {
  const summary: ReportSummary = {
    path,
    stamp,
    id: report.id,
    created: report.created,
    primary: report.primary,
    metrics: { tuned: report.metrics.tuned },
    examples: report.examples.length,
    regressed: report.examples.filter((example) => example.outcome === 'regressed').length,
    lines: new ReportLines(report),
  };
  if (report.run) summary.run = report.run;
  if (report.metrics.base) summary.metrics.base = report.metrics.base;
  const file = lineFile(path, report);
  if (file !== undefined) summary.lineFile = file;
  return summary;
}
