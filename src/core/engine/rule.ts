/**
 * What a rule module implements. There are three kinds of checker:
 *
 * - A `LineChecker` looks at one line alone. It runs wherever lines are parsed (a worker thread in
 *   the CLI, the server's main loop in the editor).
 * - A `DatasetChecker` needs the whole file (duplicates, drift, outliers). It `extract`s compact,
 *   structured-clone-able facts from each line, and an index built from those facts reports at the
 *   end. The index supports `remove` as well as `add`, keyed by a stable example id, so the language
 *   server can update it when one line changes without re-reading the document.
 * - A `WorkspaceChecker` spans files (train/validation leakage). It declares where its per-example
 *   facts come from (a dataset checker's line facts, or the semantic pass's embeddings), and an index
 *   keyed by file and example id reports across the files. `core/lint/workspace.ts` drives every one
 *   of them alike, for the CLI (the files named) and the language server (open and workspace files).
 *
 * A checker may report several related codes (one parse of a message list serves all the structure
 * codes), but each code has its own `RuleMeta`, severity and documentation page.
 */
import type { ResolvedConfig } from './config.ts';
import type { Example } from './formats.ts';
import type { JsonLine, Span } from './json-line.ts';
import type { PairSearchOptions } from '../semantic/pair-index.ts';
import type { Finding, LineInput, Range, RuleMeta } from './types.ts';

export interface LineContext {
  readonly input: LineInput;
  /** 0-based line number. */
  readonly line: number;
  readonly text: string;
  /** Undefined for a blank line or one too long to parse. */
  readonly json: JsonLine | undefined;
  /** The normalised example when the line is a JSON object. */
  readonly example: Example | undefined;
  readonly config: ResolvedConfig;
  /** Whether a code is on; checkers skip work for codes that are off. */
  enabled(code: string): boolean;
  /** A range on this line from a span of characters. */
  range(span: Span): Range;
  /** The whole line. */
  lineRange(): Range;
}

/** What a checker reports; the engine adds the code's severity and drops codes that are off. */
type FindingDraft = Omit<Finding, 'code' | 'severity'>;

export type Report = (code: string, draft: FindingDraft) => void;

export interface LineChecker {
  readonly kind: 'line';
  readonly rules: readonly RuleMeta[];
  check(context: LineContext, report: Report): void;
}

/** Random access to the lines of the dataset an index was built from. */
export interface LineAccess {
  /**
   * The current 0-based line of an example id. Ids are line numbers, in the editor too: there
   * `DatasetIndex.move` renumbers them when lines are inserted or deleted above, so an id held
   * across an edit names whatever line is now at that number unless the index moved it.
   */
  lineOf(id: number): number;
  /** The parsed line of an example id, for exact ranges and fixes. */
  context(id: number): LineContext;
}

export interface DatasetIndex<Facts> {
  add(id: number, facts: Facts): void;
  remove(id: number, facts: Facts): void;
  report(lines: LineAccess, report: Report): void;
  /**
   * Optional, for the editor: every id from `from` on becomes id + `delta` (lines moved by a paste or
   * a deletion; for a negative delta the ids moved onto were removed first). Without it the moved
   * lines are removed and added again, one by one.
   */
  move?(from: number, delta: number): void;
  /**
   * Optional, for the editor, which reports after every edit: reports again only the findings that
   * the adds and removes since the previous `update` can have changed, and returns the ids they
   * belong to; the caller drops what those ids had and keeps the rest. A finding belongs to the
   * example on whose line its range starts. Returns 'all' after reporting everything, as `report`
   * does: on the first call, and when more changed than the index follows. An index that cannot
   * tell what an edit changes leaves this out, and is reported in full.
   *
   * After a `move`, the findings of moved ids and those naming a moved line changed although no fact
   * did: the caller, which holds the findings, passes their ids as `restate`, and the index reports
   * those ids again too (and returns them), so that a paste costs what it changed, not what it moved.
   */
  update?(lines: LineAccess, report: Report, restate: readonly number[]): Iterable<number> | 'all';
}

export interface DatasetChecker<Facts = unknown> {
  readonly kind: 'dataset';
  readonly rules: readonly RuleMeta[];
  /** Facts of one line; undefined when the line contributes nothing. Must survive `structuredClone`. */
  extract(context: LineContext): Facts | undefined;
  createIndex(config: ResolvedConfig): DatasetIndex<Facts>;
}

/** Which side of a train/validation split a file is on (from the `split.train` / `split.validation` globs). */
export type SplitRole = 'train' | 'validation';

/** A finding of a workspace checker, with the file it is on. */
export interface FileFinding {
  readonly file: string;
  readonly finding: Finding;
}

/** The lines of a file a workspace index was fed, for exact ranges; undefined when they cannot be read. */
export type FileAccess = (file: string) => LineAccess | undefined;

/** One example of the semantic pass: its prompt's embedding and where it is. */
export interface EmbeddedExample {
  readonly vector: Float32Array;
  /** The prompt, as embedded (for telling copies from paraphrases). */
  readonly prompt: string;
  /** 0-based line, and the whole line where findings go. */
  readonly line: number;
  readonly range: Range;
}

/**
 * Where a workspace checker's per-example facts come from, and so which surface feeds them:
 * - `lines`: what `checker` (a dataset checker, which then extracts whenever either is on) extracts
 *   from each line; fed as files are linted, and as the editor's documents change.
 * - `embeddings`: each example's `EmbeddedExample`; fed by the semantic pass, once it has embedded
 *   the files' prompts (only when a model is present).
 */
type WorkspaceFactsSource =
  { readonly kind: 'lines'; readonly checker: DatasetChecker } | { readonly kind: 'embeddings' };

/** What the facts of a source are, for `workspaceChecker`'s type check. */
type FactsOf<Source extends WorkspaceFactsSource> = Source extends { kind: 'embeddings' }
  ? EmbeddedExample
  : Source extends { checker: DatasetChecker<infer Facts> }
    ? Facts
    : never;

/**
 * Facts of several files, keyed by file and example id (a line number, moved as `DatasetIndex.move`
 * moves it). Reports whole findings, severities included (`severityOf` its own codes), on any file.
 */
export interface WorkspaceIndex<Facts> {
  add(file: string, role: SplitRole, id: number, facts: Facts): void;
  remove(file: string, id: number): void;
  /** Every id of `file` from `from` on becomes id + `delta` (lines moved by an edit). */
  move(file: string, from: number, delta: number): void;
  /** Forgets a file (closed, deleted, or no longer on a side of the split). */
  removeFile(file: string): void;
  /**
   * The findings across the files. `earlier`: the cross-file findings already reported, by the
   * workspace checkers before this one and, for the `embeddings` source, the lexical lint's (a rule
   * leaves alone the pairs another already linked).
   */
  report(access: FileAccess, earlier: readonly FileFinding[]): FileFinding[] | Promise<FileFinding[]>;
}

/** How the indexes of a run are tuned; only tests set it. */
export interface WorkspaceOptions {
  /** How embedding pairs are searched (tests force the IVF index on small data). */
  readonly pairSearch?: PairSearchOptions;
  /** The semantic pass's second stage (`semantic/near-miss.ts`): a pair given a reason is not reported. */
  readonly judgePairs?: PairJudge;
}

/** For each pair of prompts, why they differ in meaning, or undefined when nothing speaks against the pair. */
export type PairJudge = (
  pairs: readonly (readonly [string, string])[],
) => Promise<readonly (string | undefined)[]>;

export interface WorkspaceChecker<Facts = unknown> {
  readonly kind: 'workspace';
  readonly rules: readonly RuleMeta[];
  readonly facts: WorkspaceFactsSource;
  createIndex(config: ResolvedConfig, options: WorkspaceOptions): WorkspaceIndex<Facts>;
}

export type Checker = LineChecker | DatasetChecker | WorkspaceChecker;

/** Identity function that lets TypeScript check a dataset checker's facts type end to end. */
export function datasetChecker<Facts>(checker: DatasetChecker<Facts>): DatasetChecker<Facts> {
  return checker;
}

/** The same for a workspace checker: its index takes the facts its source gives. */
export function workspaceChecker<Source extends WorkspaceFactsSource>(
  checker: Omit<WorkspaceChecker<FactsOf<Source>>, 'facts'> & { readonly facts: Source },
): WorkspaceChecker {
  return checker as WorkspaceChecker;
}
