/**
 * The one driver of workspace checkers (cross-file rules), for every surface: the CLI's session feeds
 * it each file it lints, the language server every open or workspace file as its documents change
 * (both with the lint's line facts), and the semantic pass the embeddings it computed. A driver is
 * built for one feed; it keeps an index per workspace checker of that feed whose codes are on, hands
 * each the facts its declaration names, and reports them in registry order, each seeing the findings
 * of those before it. A new cross-file rule is a declaration in the registry, nothing here.
 */
import { severityOf, type ResolvedConfig } from '../engine/config.ts';
import type {
  Checker,
  DatasetChecker,
  EmbeddedExample,
  FileAccess,
  FileFinding,
  SplitRole,
  WorkspaceChecker,
  WorkspaceIndex,
  WorkspaceOptions,
} from '../engine/rule.ts';
import type { Finding } from '../engine/types.ts';

/** What a surface feeds: line facts (ordered as `datasetCheckers`, `LinePass`'s), or embeddings. */
type WorkspaceFeed =
  | { readonly kind: 'lines'; readonly datasetCheckers: readonly DatasetChecker[] }
  | { readonly kind: 'embeddings' };

interface Run {
  readonly checker: WorkspaceChecker;
  readonly index: WorkspaceIndex<unknown>;
  /** For the lines feed: where the checker's facts are in a line's facts array. */
  readonly position: number;
}

/** A checker throwing while it reports: its findings are skipped, the others' kept. */
export type WorkspaceErrorHandler = (codes: readonly string[], error: unknown) => void;

const rethrow: WorkspaceErrorHandler = (_codes, error) => {
  throw error;
};

/** Whether a checker has a code on under `config`. */
function isOn(config: ResolvedConfig, checker: Checker): boolean {
  return checker.rules.some(
    (rule) => severityOf(config, rule.code, rule.family, rule.defaultSeverity) !== 'off',
  );
}

/** The workspace checkers among `checkers` that a feed of `kind` gives facts to. */
function workspaceCheckers(checkers: readonly Checker[], kind: WorkspaceFeed['kind']): WorkspaceChecker[] {
  return checkers.filter((c): c is WorkspaceChecker => c.kind === 'workspace' && c.facts.kind === kind);
}

export class WorkspaceLint {
  private readonly runs: Run[];

  constructor(
    config: ResolvedConfig,
    checkers: readonly Checker[],
    feed: WorkspaceFeed,
    options: WorkspaceOptions = {},
  ) {
    this.runs = workspaceCheckers(checkers, feed.kind)
      .filter((checker) => isOn(config, checker))
      .map((checker) => ({
        checker,
        index: checker.createIndex(config, options),
        position:
          feed.kind === 'lines' && checker.facts.kind === 'lines'
            ? feed.datasetCheckers.indexOf(checker.facts.checker)
            : -1,
      }));
  }

  /** False when every checker of the feed is off: callers then skip reading files for it. */
  get on(): boolean {
    return this.runs.length > 0;
  }

  /**
   * Adds one line's facts (`LineResult.facts`); false when no checker kept any (not an example, or
   * all off): the caller then need not follow the line.
   */
  addLine(file: string, role: SplitRole, id: number, facts: readonly unknown[]): boolean {
    let kept = false;
    for (const run of this.runs) {
      const own = facts[run.position];
      if (own === undefined) continue;
      run.index.add(file, role, id, own);
      kept = true;
    }
    return kept;
  }

  /** Adds one example's embedding (the semantic pass's feed). */
  addExample(file: string, role: SplitRole, id: number, example: EmbeddedExample): void {
    for (const run of this.runs) run.index.add(file, role, id, example);
  }

  remove(file: string, id: number): void {
    for (const run of this.runs) run.index.remove(file, id);
  }

  /** Every id of `file` from `from` on becomes id + `delta` (lines moved by an edit). */
  move(file: string, from: number, delta: number): void {
    for (const run of this.runs) run.index.move(file, from, delta);
  }

  /** Forgets a file (closed, deleted, or no longer on a side of the split). */
  removeFile(file: string): void {
    for (const run of this.runs) run.index.removeFile(file);
  }

  /**
   * The findings by file, each file's in report order. `access` gives each file's lines, for exact
   * ranges; `earlier`: cross-file findings reported before this run (the lexical ones, for the
   * embeddings feed). Checkers report one after another; indexes that report synchronously (the
   * line facts') all finish before the event loop handles anything else, such as an edit.
   */
  async report(
    access: FileAccess,
    earlier: readonly FileFinding[] = [],
    onError: WorkspaceErrorHandler = rethrow,
  ): Promise<Map<string, Finding[]>> {
    const seen = [...earlier];
    const byFile = new Map<string, Finding[]>();
    for (const run of this.runs) {
      let found: FileFinding[];
      try {
        found = await run.index.report(access, seen);
      } catch (error) {
        onError(
          run.checker.rules.map((rule) => rule.code),
          error,
        );
        continue;
      }
      for (const entry of found) {
        seen.push(entry);
        let list = byFile.get(entry.file);
        if (!list) byFile.set(entry.file, (list = []));
        list.push(entry.finding);
      }
    }
    return byFile;
  }
}
