/**
 * `consistency/near-duplicate`: examples whose word trigrams overlap at or above
 * `consistency.nearDuplicateThreshold` (estimated Jaccard similarity). The same facts feed the
 * cross-file `split/leakage` check and `tunesmith split`, so this checker also carries that code:
 * the sketch is computed once per line whichever of the two is on.
 */
import type { LineAccess, LineContext, Report } from '../../engine/rule.ts';
import { datasetChecker } from '../../engine/rule.ts';
import type { Range, RuleMeta } from '../../engine/types.ts';
import { LEAKAGE } from '../split/meta.ts';
import { IdSet } from './columns.ts';
import { promptText } from '../../engine/formats.ts';
import { answerOf, exactHash, isOn, lineLabel } from './common.ts';
import { hash32, hashString } from './hashing.ts';
import { pairsOf, SortedPairs, type SortedIds } from './grouping.ts';
import {
  BINS,
  bandKey,
  banding,
  forEachSimilarPairIn,
  forEachSimilarPairOf,
  pairsChangedBy,
  sketchTexts,
  type SketchView,
} from './sketch.ts';

const NEAR_DUPLICATE: RuleMeta = {
  code: 'consistency/near-duplicate',
  family: 'consistency',
  description: 'An example is nearly identical to an earlier one.',
  defaultSeverity: 'info',
  fixable: false,
};

export interface SimilarityFacts {
  /** 64-byte sketch of the example's text. */
  sketch: Uint8Array;
  words: number;
  /** Canonical-JSON hash: equal values are exact duplicates, which `consistency/duplicate` reports. */
  exact: number;
}

/**
 * The texts compared: every turn but system turns (a shared system prompt would make every pair of
 * short examples look alike), or the `text` field, or the raw line for other JSON.
 */
function similarityTexts(context: LineContext): string[] {
  const example = context.example;
  if (!example) return [context.text];
  if (example.text !== undefined && example.turns.length === 0) return [example.text];
  const parts: string[] = [];
  for (const turn of example.turns) {
    if (turn.canonicalRole !== 'system' && turn.content !== undefined) parts.push(turn.content);
  }
  return parts.length > 0 ? parts : [context.text];
}

function similarityFacts(texts: readonly string[], exact: number): SimilarityFacts {
  const sketch = new Uint8Array(BINS);
  const words = sketchTexts(texts, sketch);
  return { sketch, words, exact };
}

/** Facts for any line: parsed JSON by its canonical form, anything else by its raw text. */
export function lineSimilarityFacts(context: LineContext): SimilarityFacts {
  const exact = exactHash(context);
  if (exact !== undefined) return similarityFacts(similarityTexts(context), exact);
  return similarityFacts([context.text], hashString(context.text));
}

/** Sketches by id in typed arrays (71 bytes per example). */
export class SketchStore implements SketchView {
  readonly set = new IdSet();
  private readonly sketchColumn = this.set.column(Uint8Array, BINS);
  private readonly wordColumn = this.set.column(Uint16Array);
  private readonly exactColumn = this.set.column(Uint32Array);

  get sketches(): Uint8Array {
    return this.sketchColumn.values;
  }
  get words(): Uint16Array {
    return this.wordColumn.values;
  }
  get exact(): Uint32Array {
    return this.exactColumn.values;
  }

  add(id: number, facts: SimilarityFacts): void {
    if (!this.set.add(id)) return;
    this.sketchColumn.values.set(facts.sketch.subarray(0, BINS), id * BINS);
    this.wordColumn.values[id] = Math.min(facts.words, 65535);
    this.exactColumn.values[id] = hash32(facts.exact);
  }

  remove(id: number): void {
    this.set.remove(id);
  }
}

/** Examples per changed one above which `update` reports everything instead (measured: about 500). */
const FOLLOW_COST = 512;
/** Changed examples that `update` follows one by one in any file. */
const MIN_FOLLOWED = 64;

export const nearDuplicateChecker = datasetChecker<SimilarityFacts>({
  kind: 'dataset',
  rules: [NEAR_DUPLICATE, LEAKAGE],
  extract(context) {
    if (!context.json?.ok || !context.example) return undefined;
    return lineSimilarityFacts(context);
  },
  createIndex(config) {
    const store = new SketchStore();
    const on = isOn(config, NEAR_DUPLICATE);
    const threshold = config.consistency.nearDuplicateThreshold;
    // Each band's keys stay sorted across edits: a report after one edited line re-sorts nothing.
    const { rows, bands } = banding(threshold);
    const byBand = Array.from(
      { length: bands },
      (_, band) => new SortedPairs((id) => bandKey(store.sketches, id * BINS, band, rows)),
    );
    return {
      add(id, facts) {
        if (store.set.has(id)) return;
        store.add(id, facts);
        if (store.set.has(id)) for (const sorted of byBand) sorted.added(id);
      },
      remove(id) {
        if (!store.set.has(id)) return;
        for (const sorted of byBand) sorted.removing(id);
        store.remove(id);
      },
      move(from, delta) {
        store.set.move(from, delta);
        for (const sorted of byBand) sorted.move(from, delta);
      },
      report(lines, report) {
        if (!on) return;
        const ids = store.set.ids();
        reportAll(store, threshold, (band) => byBand[band]!.sorted(() => ids), ids, lines, report);
      },
      update(lines, report, restate) {
        if (!on) return 'all';
        let ids: Uint32Array | undefined;
        const allIds = (): Uint32Array => (ids ??= store.set.ids());
        const updates = byBand.map((sorted) => sorted.update(allIds));
        // Following one changed example costs a search and up to WINDOW comparisons in every band,
        // reporting all a scan of every band: past 1 change per FOLLOW_COST examples (a pasted block
        // of 200 lines in a 35,000-line file), the scan is the cheaper one. A few are always followed,
        // whatever the file's size (so that small files test this path too).
        let followed = restate.length;
        for (const band of updates) followed += (band.changes?.length ?? 0) / 3 / bands;
        const scan = followed > MIN_FOLLOWED && followed * FOLLOW_COST > store.set.size;
        if (scan || updates.some((band) => !band.changes)) {
          reportAll(store, threshold, (band) => updates[band]!.sorted, allIds(), lines, report);
          return 'all';
        }
        // The examples whose pairs an add or remove changed, in any band: only their partners can change.
        const changed = new Set<number>(restate);
        updates.forEach(({ sorted, changes }) => {
          for (let i = 0; i < changes!.length; i += 3) {
            changed.add(changes![i + 2]!);
            pairsChangedBy(pairsOf(sorted, changes![i + 1]!).ids, changes![i + 2]!, changed);
          }
        });
        for (const b of changed) {
          if (!store.set.has(b)) continue;
          let [partner, score] = [-1, 0];
          const groupOf = (band: number): Uint32Array =>
            pairsOf(updates[band]!.sorted, bandKey(store.sketches, b * BINS, band, rows)).ids;
          forEachSimilarPairOf(store, threshold, groupOf, b, (a, _, s) => {
            if (store.exact[a] === store.exact[b]) return;
            if (s > score || (s === score && a < partner)) [partner, score] = [a, s];
          });
          if (partner >= 0) {
            const original = lines.context(partner);
            reportPair(
              lines,
              report,
              { id: partner, line: original.line, range: original.lineRange() },
              b,
              score,
            );
          }
        }
        return changed;
      },
    };
  },
});

function reportAll(
  store: SketchStore,
  threshold: number,
  sortedBand: (band: number) => SortedIds,
  ids: Uint32Array,
  lines: LineAccess,
  report: Report,
): void {
  const partner = new Int32Array(store.set.end).fill(-1);
  const score = new Float64Array(store.set.end);
  forEachSimilarPairIn(store, threshold, sortedBand, (a, b, s) => {
    if (store.exact[a] === store.exact[b]) return; // an exact copy: consistency/duplicate
    if (s > score[b]! || (s === score[b]! && a < partner[b]!)) {
      score[b] = s;
      partner[b] = a;
    }
  });
  // The similar examples' lines and lengths, read in line order first: read as each finding came,
  // most were a read call of their own (the reader reads ahead only for lines in order). Indexed
  // loops over `ids`: this runs once per report, rarely enough to stay unoptimised, and there a
  // `for...of` over a typed array allocates a result object per id (1.4 MB per block edit of a
  // 35,000-line document, a fifth of what the edit allocated).
  const partnerSet = new Set<number>();
  for (let i = 0; i < ids.length; i++) if (partner[ids[i]!]! >= 0) partnerSet.add(partner[ids[i]!]!);
  const partners = [...partnerSet];
  partners.sort((a, b) => lines.lineOf(a) - lines.lineOf(b));
  const partnerLine = new Int32Array(store.set.end);
  const partnerLength = new Int32Array(store.set.end);
  for (const id of partners) {
    const context = lines.context(id);
    partnerLine[id] = context.line;
    partnerLength[id] = context.text.length;
  }
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const first = partner[id]!;
    if (first < 0) continue;
    const line = partnerLine[first]!;
    const range = { start: { line, character: 0 }, end: { line, character: partnerLength[first]! } };
    reportPair(lines, report, { id: first, line, range }, id, score[id]!);
  }
}

/** `original`: the similar example's id, line and the range of the whole line (`lineRange`). */
function reportPair(
  lines: LineAccess,
  report: Report,
  original: { id: number; line: number; range: Range },
  id: number,
  score: number,
): void {
  const context = lines.context(id);
  const shared = sharesPassage(context, () => lines.context(original.id));
  report(NEAR_DUPLICATE.code, {
    message: shared
      ? `Shares its passage with ${lineLabel(original.line)}: another question about it, with another answer (estimated similarity ${score.toFixed(2)}); keep the two in one split rather than delete one`
      : `Near-duplicate of ${lineLabel(original.line)} (estimated similarity ${score.toFixed(2)})`,
    range: context.lineRange(),
    related: [{ range: original.range, message: shared ? 'The same passage' : 'The similar example' }],
  });
}

/** Below this many words a prompt is a question, not a passage with a question. */
const PASSAGE_WORDS = 100;

/**
 * Whether two similar examples are different questions about one passage (T0's reading
 * comprehension: 6,354 of 22,339 near-duplicates on 55,000 lines): both prompts long and not the same,
 * and either the answers differ or what differs between the prompts is a question (another question,
 * the same answer). The similar example's line is read again only when `a`'s prompt is long enough to
 * hold a passage, so short near-duplicates cost no second read.
 */
function sharesPassage(a: LineContext, readB: () => LineContext): boolean {
  const answerA = answerOf(a);
  if (!answerA || !a.example) return false;
  const normal = (text: string): string => text.replace(/\s+/g, ' ').trim().toLowerCase();
  const words = (text: string): number => text.split(' ').length;
  const promptA = normal(promptText(a.example) ?? '');
  if (words(promptA) < PASSAGE_WORDS) return false;
  const b = readB();
  const answerB = answerOf(b);
  if (!answerB || !b.example) return false;
  const promptB = normal(promptText(b.example) ?? '');
  if (promptA === promptB || words(promptB) < PASSAGE_WORDS) return false;
  if (normal(answerA.content!) !== normal(answerB.content!)) return true;
  const shorter = Math.min(promptA.length, promptB.length);
  let start = 0;
  while (start < shorter && promptA[start] === promptB[start]) start++;
  let end = 0;
  while (end < shorter - start && promptA.at(-1 - end) === promptB.at(-1 - end)) end++;
  // The question mark ends the differing question, so it may open the common suffix.
  const differs = (prompt: string): string => prompt.slice(start, prompt.length - end + 1);
  return differs(promptA).includes('?') || differs(promptB).includes('?');
}
