/**
 * `split/leakage`: validation examples that also appear, exactly or nearly, in a training file. A
 * leaked example makes validation loss look better than the model is. A workspace checker: its index
 * spans files, fed with the facts of the near-duplicate checker (computed once per line for both
 * codes) by whichever surface lints the files (core/lint/workspace.ts).
 */
import { basename } from 'node:path';
import { severityOf, type ResolvedConfig } from '../../engine/config.ts';
import {
  workspaceChecker,
  type FileAccess,
  type FileFinding,
  type SplitRole,
  type WorkspaceIndex,
} from '../../engine/rule.ts';
import type { Range, Severity } from '../../engine/types.ts';
import { radixSort } from '../consistency/grouping.ts';
import { nearDuplicateChecker, SketchStore, type SimilarityFacts } from '../consistency/near-duplicate.ts';
import { bandKey, banding, BINS, MIN_WORDS, similarity } from '../consistency/sketch.ts';
import { LEAKAGE } from './meta.ts';

/** Training examples compared per band for one validation example: bounds work on huge duplicate groups. */
const CANDIDATES_PER_BAND = 32;

interface FileEntry {
  role: SplitRole;
  store: SketchStore;
}

function wholeLine(line: number): Range {
  return { start: { line, character: 0 }, end: { line: line + 1, character: 0 } };
}

export class LeakageIndex implements WorkspaceIndex<SimilarityFacts> {
  private readonly files = new Map<string, FileEntry>();
  private readonly severity: Severity | undefined;
  private readonly threshold: number;

  constructor(config: ResolvedConfig) {
    const setting = severityOf(config, LEAKAGE.code, LEAKAGE.family, LEAKAGE.defaultSeverity);
    this.severity = setting === 'off' ? undefined : setting;
    this.threshold = config.consistency.nearDuplicateThreshold;
  }

  add(file: string, role: SplitRole, id: number, facts: SimilarityFacts): void {
    let entry = this.files.get(file);
    if (!entry) {
      entry = { role, store: new SketchStore() };
      this.files.set(file, entry);
    }
    entry.role = role;
    entry.store.add(id, facts);
  }

  remove(file: string, id: number): void {
    this.files.get(file)?.store.remove(id);
  }

  /** Every id of `file` from `from` on becomes id + `delta` (lines moved by an edit). */
  move(file: string, from: number, delta: number): void {
    this.files.get(file)?.store.set.move(from, delta);
  }

  /** Forgets a file (closed, deleted, or no longer matching the split globs). */
  removeFile(file: string): void {
    this.files.delete(file);
  }

  /** Findings on validation files; `access` gives each file's lines, for exact ranges. */
  report(access: FileAccess): FileFinding[] {
    if (!this.severity) return [];
    const train = this.flatten('train');
    const validation = this.flatten('validation');
    if (train.count === 0 || validation.count === 0) return [];
    const best = new Float64Array(validation.count).fill(-1);
    const partner = new Int32Array(validation.count).fill(-1);
    const { rows, bands } = banding(this.threshold);
    const trainKeys = new Uint32Array(train.count);
    const positions = Uint32Array.from({ length: train.count }, (_, i) => i);
    for (let band = 0; band < bands; band++) {
      for (let i = 0; i < train.count; i++) trainKeys[i] = bandKey(train.sketches, i * BINS, band, rows);
      const sorted = radixSort(trainKeys, positions);
      for (let v = 0; v < validation.count; v++) {
        const key = bandKey(validation.sketches, v * BINS, band, rows);
        let k = lowerBound(sorted.keys, key);
        for (
          let seen = 0;
          k < sorted.keys.length && sorted.keys[k] === key && seen < CANDIDATES_PER_BAND;
          k++, seen++
        ) {
          const t = sorted.ids[k]!;
          let s: number;
          if (train.exact[t] === validation.exact[v]) s = 1;
          else if (train.words[t]! < MIN_WORDS || validation.words[v]! < MIN_WORDS) continue;
          else s = similarity(train.sketches, t * BINS, validation.sketches, v * BINS);
          if (s >= this.threshold && (s > best[v]! || (s === best[v]! && t < partner[v]!))) {
            best[v] = s;
            partner[v] = t;
          }
        }
      }
    }
    const findings: FileFinding[] = [];
    for (let v = 0; v < validation.count; v++) {
      const t = partner[v]!;
      if (t < 0) continue;
      const file = validation.file[v]!;
      const id = validation.id[v]!;
      const trainFile = train.file[t]!;
      const trainId = train.id[t]!;
      const lines = access(file);
      const trainLines = access(trainFile);
      const line = lines ? lines.lineOf(id) : id;
      const trainLine = trainLines ? trainLines.lineOf(trainId) : trainId;
      const how =
        train.exact[t] === validation.exact[v]
          ? 'an exact copy'
          : `estimated similarity ${best[v]!.toFixed(2)}`;
      findings.push({
        file,
        finding: {
          code: LEAKAGE.code,
          severity: this.severity,
          message: `Also in the training data: ${basename(trainFile)} line ${trainLine + 1} (${how})`,
          range: lines ? lines.context(id).lineRange() : wholeLine(line),
          related: [
            {
              file: trainFile,
              range: trainLines ? trainLines.context(trainId).lineRange() : wholeLine(trainLine),
              message: 'The training example',
            },
          ],
        },
      });
    }
    return findings;
  }

  /** All files of one role as one set of arrays, position-indexed, files in name order for stable output. */
  private flatten(role: SplitRole) {
    const entries = [...this.files]
      .filter(([, entry]) => entry.role === role)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const idLists = entries.map(([, entry]) => entry.store.set.ids());
    const count = idLists.reduce((sum, ids) => sum + ids.length, 0);
    const sketches = new Uint8Array(count * BINS);
    const words = new Uint16Array(count);
    const exact = new Uint32Array(count);
    const file: string[] = new Array<string>(count);
    const id = new Uint32Array(count);
    let p = 0;
    entries.forEach(([name, entry], e) => {
      for (const i of idLists[e]!) {
        sketches.set(entry.store.sketches.subarray(i * BINS, (i + 1) * BINS), p * BINS);
        words[p] = entry.store.words[i]!;
        exact[p] = entry.store.exact[i]!;
        file[p] = name;
        id[p] = i;
        p++;
      }
    });
    return { count, sketches, words, exact, file, id };
  }
}

function lowerBound(sorted: Uint32Array, key: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export const splitLeakageChecker = workspaceChecker({
  kind: 'workspace',
  rules: [LEAKAGE],
  facts: { kind: 'lines', checker: nearDuplicateChecker },
  createIndex: (config) => new LeakageIndex(config),
});
