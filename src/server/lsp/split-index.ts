/**
 * The workspace checkers on line facts (`split/leakage`): every open or workspace dataset that the
 * split globs call a training or a validation file feeds its lines' facts into the core's driver
 * (`WorkspaceLint`, the one the CLI's session feeds), and follows edits through its document's
 * `FactsObserver`. Reports are coalesced: a burst of keystrokes in a training file costs one report,
 * a moment after the burst, not one per key.
 */
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResolvedConfig } from '../../core/engine/config.ts';
import type { Checker, DatasetChecker, LineAccess } from '../../core/engine/rule.ts';
import type { Finding } from '../../core/engine/types.ts';
import { WorkspaceLint, type WorkspaceErrorHandler } from '../../core/lint/workspace.ts';
import { splitRole, type SplitRole } from '../../core/rules/split/index.ts';
import type { FactsObserver } from './linted-document.ts';

const NONE: readonly Finding[] = Object.freeze([]);

/** How long after the last change of a split file the workspace checkers report. */
const REPORT_DELAY_MS = 150;

export class SplitIndex {
  private index: WorkspaceLint | undefined;
  /** Counts reports, so that one finishing after a newer one started is dropped. */
  private reports = 0;
  private findings = new Map<string, Finding[]>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly datasetCheckers: DatasetChecker[];

  constructor(
    private readonly checkers: readonly Checker[],
    /** Current lines of an open document's example ids; undefined for files read from disk once. */
    private readonly access: (uri: string) => LineAccess | undefined,
    /** Called with the files whose workspace findings changed. */
    private readonly onChanged: (uris: string[]) => void,
    /** A checker threw while it reported: its findings are skipped until the next report. */
    private readonly onRuleError: WorkspaceErrorHandler,
  ) {
    this.datasetCheckers = checkers.filter((c): c is DatasetChecker => c.kind === 'dataset');
  }

  /** Starts an empty index under a configuration; callers then add every file again. */
  configure(config: ResolvedConfig): void {
    this.index = new WorkspaceLint(config, this.checkers, {
      kind: 'lines',
      datasetCheckers: this.datasetCheckers,
    });
    this.schedule();
  }

  /** The file's side of the split, from the globs relative to its workspace folder. */
  static roleOf(uri: string, config: ResolvedConfig, folders: readonly string[]): SplitRole | undefined {
    if (!uri.startsWith('file:')) return undefined;
    const path = fileURLToPath(uri);
    const root = folders
      .map((folder) => fileURLToPath(folder))
      .find((folder) => !relative(folder, path).startsWith('..') && path.startsWith(folder + sep));
    return splitRole(path, config, root);
  }

  /** What a file linted under `config` feeds the index: nothing when it is on neither side of the split. */
  observerFor(uri: string, config: ResolvedConfig, folders: readonly string[]): FactsObserver | undefined {
    const role = SplitIndex.roleOf(uri, config, folders);
    if (!role) return undefined;
    return {
      reset: () => this.removeFile(uri),
      added: (id, facts) => {
        if (this.index?.addLine(uri, role, id, facts)) this.schedule();
      },
      removed: (id) => {
        this.index?.remove(uri, id);
        this.schedule();
      },
      moved: (from, delta) => {
        this.index?.move(uri, from, delta);
        this.schedule();
      },
    };
  }

  removeFile(uri: string): void {
    this.index?.removeFile(uri);
    this.schedule();
  }

  /** The same array until the next report: callers cache what they derive from it by identity. */
  findingsFor(uri: string): readonly Finding[] {
    return this.findings.get(uri) ?? NONE;
  }

  dispose(): void {
    clearTimeout(this.timer);
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => void this.report(), REPORT_DELAY_MS);
  }

  private async report(): Promise<void> {
    this.timer = undefined;
    if (!this.index) return;
    const report = ++this.reports;
    const next = await this.index.report(this.access, [], this.onRuleError);
    if (report !== this.reports) return;
    const changed = [...new Set([...this.findings.keys(), ...next.keys()])].filter(
      (uri) => JSON.stringify(this.findings.get(uri)) !== JSON.stringify(next.get(uri)),
    );
    this.findings = next;
    if (changed.length > 0) this.onChanged(changed);
  }
}
