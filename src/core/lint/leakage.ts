/**
 * `split/leakage` wired once for every surface: which line facts feed it (the near-duplicate
 * checker's, `leakageFacts`), the cross-file `LeakageIndex`, and its findings grouped by file. The
 * CLI's session feeds it once per file linted; the language server adds and removes lines as
 * documents change.
 */
import { severityOf, type ResolvedConfig } from '../engine/config.ts';
import type { DatasetChecker, LineAccess } from '../engine/rule.ts';
import type { Finding } from '../engine/types.ts';
import { LEAKAGE, LeakageIndex, leakageFacts, type SplitRole } from '../rules/split/index.ts';

export class Leakage {
  private readonly index: LeakageIndex;
  /** Off: lines are not even kept (their sketches would cost ~80 bytes each for nothing). */
  private readonly on: boolean;

  constructor(
    config: ResolvedConfig,
    /** `LinePass.datasetCheckers`: the order of every facts array given to `add`. */
    private readonly datasetCheckers: readonly DatasetChecker[],
  ) {
    this.index = new LeakageIndex(config);
    this.on = severityOf(config, LEAKAGE.code, LEAKAGE.family, LEAKAGE.defaultSeverity) !== 'off';
  }

  /** Adds a line of `file` from its dataset facts; false when it was ignored (not an example, or off). */
  add(file: string, role: SplitRole, line: number, facts: readonly unknown[]): boolean {
    if (!this.on) return false;
    const similarity = leakageFacts(this.datasetCheckers, facts);
    if (similarity) this.index.add(file, role, line, similarity);
    return similarity !== undefined;
  }

  remove(file: string, line: number): void {
    this.index.remove(file, line);
  }

  /** Every id of `file` from `from` on becomes id + `delta` (lines moved by an edit). */
  move(file: string, from: number, delta: number): void {
    this.index.move(file, from, delta);
  }

  /** Forgets a file (closed, deleted, or no longer matching the split globs). */
  removeFile(file: string): void {
    this.index.removeFile(file);
  }

  /** The findings by file; `access` gives each file's lines, for exact ranges. */
  findingsByFile(access: (file: string) => LineAccess | undefined): Map<string, Finding[]> {
    const byFile = new Map<string, Finding[]>();
    for (const { file, finding } of this.index.report(access)) {
      let list = byFile.get(file);
      if (!list) byFile.set(file, (list = []));
      list.push(finding);
    }
    return byFile;
  }
}
