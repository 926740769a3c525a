/**
 * `consistency/near-duplicate`: examples whose word trigrams overlap at or above
 * `consistency.nearDuplicateThreshold` (estimated Jaccard similarity), one finding per cluster
 * (`clusters.ts`) on its first line, the other members as related locations. The same facts feed the
 * workspace checker `split/leakage` (which names this checker as its facts' source, so the sketch is
 * computed once per line whichever of the two is on) and `tunesmith split`.
 */
import type { LineAccess, LineContext, Report } from '../../engine/rule.ts';
import { datasetChecker } from '../../engine/rule.ts';
import type { Range, RuleMeta } from '../../engine/types.ts';
import { IdSet } from './columns.ts';
import { promptText } from '../../engine/formats.ts';
import { answerOf, exactHash, isOn, linesLabel } from './common.ts';
import { ClusterState } from './clusters.ts';
import { hash32, hashString } from './hashing.ts';
import { pairsOf, SortedPairs, type SortedIds } from './grouping.ts';
import {
  BINS,
  bandKey,
  banding,
  pairsChangedBy,
  similarity,
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
  rules: [NEAR_DUPLICATE],
  extract(context) {
    if (!context.json?.ok || !context.example) return undefined;
    return lineSimilarityFacts(context);
  },
  createIndex(config) {
    const store = new SketchStore();
    const clusters = new ClusterState(store.set);
    const on = isOn(config, NEAR_DUPLICATE);
    const threshold = config.consistency.nearDuplicateThreshold;
    // Each band's keys stay sorted across edits: a report after one edited line re-sorts nothing.
    const { rows, bands } = banding(threshold);
    const byBand = Array.from(
      { length: bands },
      (_, band) => new SortedPairs((id) => bandKey(store.sketches, id * BINS, band, rows)),
    );
    const reportAll = (sortedBand: (band: number) => SortedIds, lines: LineAccess, report: Report): void => {
      const ids = store.set.ids();
      reportClusters(clusters.clusterAll(store, threshold, sortedBand, ids), store, lines, report);
    };
    return {
      add(id, facts) {
        if (store.set.has(id)) return;
        store.add(id, facts);
        if (!store.set.has(id)) return;
        clusters.added(id);
        for (const sorted of byBand) sorted.added(id);
      },
      remove(id) {
        if (!store.set.has(id)) return;
        for (const sorted of byBand) sorted.removing(id);
        clusters.removing(id);
        store.remove(id);
      },
      move(from, delta) {
        store.set.move(from, delta);
        for (const sorted of byBand) sorted.move(from, delta);
      },
      report(lines, report) {
        if (!on) return;
        const ids = store.set.ids();
        reportAll((band) => byBand[band]!.sorted(() => ids), lines, report);
      },
      update(lines, report, restate) {
        if (!on) return 'all';
        let ids: Uint32Array | undefined;
        const allIds = (): Uint32Array => (ids ??= store.set.ids());
        const updates = byBand.map((sorted) => sorted.update(allIds));
        // Following one changed example costs a search and up to WINDOW comparisons in every band
        // for it and each member of its cluster, reporting all a scan of every band: past 1 change
        // per FOLLOW_COST examples (a pasted block of 200 lines in a 35,000-line file), the scan is
        // the cheaper one. A few are always followed, whatever the file's size (so that small files
        // test this path too).
        let followed = restate.length;
        for (const band of updates) followed += (band.changes?.length ?? 0) / 3 / bands;
        const scan = followed > MIN_FOLLOWED && followed * FOLLOW_COST > store.set.size;
        if (scan || updates.some((band) => !band.changes)) {
          reportAll((band) => updates[band]!.sorted, lines, report);
          return 'all';
        }
        // The examples whose pairs an add or remove changed, in any band.
        const touched = new Set<number>();
        updates.forEach(({ sorted, changes }) => {
          for (let i = 0; i < changes!.length; i += 3) {
            touched.add(changes![i + 2]!);
            pairsChangedBy(pairsOf(sorted, changes![i + 1]!).ids, changes![i + 2]!, touched);
          }
        });
        const groupOf = (band: number, id: number): Uint32Array =>
          pairsOf(updates[band]!.sorted, bandKey(store.sketches, id * BINS, band, rows)).ids;
        // Findings belong to a cluster's first line: the ids returned are those whose findings are
        // replaced (the touched, the restated, and the firsts of the clusters that changed).
        const replaced = new Set<number>([...touched, ...restate]);
        const changed = clusters.recluster(store, threshold, groupOf, touched, restate, replaced);
        reportClusters(changed, store, lines, report);
        return replaced;
      },
    };
  },
});

/** Related locations per finding: a cluster of 10,000 must not carry 10,000 links. */
const MEMBERS_SHOWN = 20;
/** Member lines named in the message; the related locations list more. */
const LINES_IN_MESSAGE = 5;

/** What the findings need of a member: its line, its length, its passage when it has one. */
interface MemberFacts {
  line: number;
  length: number;
  passage: Passage | undefined;
}

/**
 * One finding per cluster of two or more distinct examples (an exact copy of an earlier member is
 * `consistency/duplicate`'s), on its first line, with each member shown and its estimated
 * similarity to the first (a chain's far end can be below the threshold: it is linked through
 * others). The lines shown are read once, in line order: read cluster by cluster, most were a read
 * call of their own (the reader reads ahead only in order).
 */
function reportClusters(clusters: number[][], view: SketchView, lines: LineAccess, report: Report): void {
  const { exact, sketches } = view;
  const plans: { shown: number[]; count: number; members: number[] }[] = [];
  const toRead = new Set<number>();
  for (const members of clusters) {
    const copies = new Set<number>();
    const shown: number[] = [];
    for (const id of members) {
      if (copies.has(exact[id]!)) continue;
      copies.add(exact[id]!);
      if (shown.length <= MEMBERS_SHOWN) shown.push(id);
    }
    if (copies.size < 2) continue;
    plans.push({ shown, count: copies.size, members });
    for (const id of shown) toRead.add(id);
  }
  const order = [...toRead].sort((a, b) => lines.lineOf(a) - lines.lineOf(b));
  const facts = new Map<number, MemberFacts>();
  for (const id of order) {
    const context = lines.context(id);
    facts.set(id, { line: context.line, length: context.text.length, passage: passageOf(context) });
  }
  for (const { shown, count, members } of plans) {
    const first = facts.get(shown[0]!)!;
    const others = shown.slice(1).map((id) => facts.get(id)!);
    const scores = shown.slice(1).map((id) => similarity(sketches, shown[0]! * BINS, sketches, id * BINS));
    const sharing = others.map((other) => sharesPassage(first.passage, other.passage));
    report(NEAR_DUPLICATE.code, {
      message: clusterMessage(
        count,
        scores.reduce((low, score) => Math.min(low, score), 1),
        scores.reduce((high, score) => Math.max(high, score), 0),
        others.map((other) => other.line),
        sharing.filter(Boolean).length,
      ),
      range: lineRangeOf(first),
      data: { clusterSize: count, clusterLines: clusterLines(members, lines) },
      related: others.map((other, i) => ({
        range: lineRangeOf(other),
        message: `${sharing[i] ? 'Another question about the same passage' : 'A near-duplicate'} (estimated similarity ${scores[i]!.toFixed(2)})`,
      })),
    });
  }
}

/** The lines of a cluster's ids, ascending (ids follow line order). */
function clusterLines(members: readonly number[], lines: LineAccess): Uint32Array {
  const out = new Uint32Array(members.length);
  members.forEach((id, i) => (out[i] = lines.lineOf(id)));
  return out.sort();
}

function lineRangeOf({ line, length }: MemberFacts): Range {
  return { start: { line, character: 0 }, end: { line, character: length } };
}

/**
 * The message of a cluster of `count` examples: the lines of the others shown (`lines`), of which
 * `sharing` share the first's passage (different questions about it, which belong in one split,
 * not deleted).
 */
function clusterMessage(count: number, low: number, high: number, lines: number[], sharing: number): string {
  const [lo, hi] = [low.toFixed(2), high.toFixed(2)];
  const shown = lines.length < count - 1 ? ` for the ${lines.length} linked` : '';
  const similarity = `estimated similarity to this one ${lo === hi ? lo : `${lo}–${hi}`}${shown}`;
  const others = `this one and ${linesLabel(lines, LINES_IN_MESSAGE, count - 1)}`;
  if (sharing > 0 && sharing === lines.length)
    return `Shared passage: ${count} examples ask different questions about one passage (${similarity}), ${others}; keep them in one split rather than delete any`;
  const cluster = `Near-duplicates: ${count} examples (${similarity}), ${others}`;
  if (sharing === 0) return cluster;
  return `${cluster}; ${sharing} of the ${lines.length} linked ask another question about this one's passage: keep those in one split rather than delete them`;
}

/** Below this many words a prompt is a question, not a passage with a question. */
const PASSAGE_WORDS = 100;

/** An example's prompt and answer, whitespace-collapsed and lower-cased, when the prompt is long. */
interface Passage {
  prompt: string;
  answer: string;
}

function normal(text: string): string {
  return text.replace(/\s+/g, ' ').trim().toLowerCase();
}

/** Undefined without an answer or with a prompt too short to hold a passage. */
function passageOf(context: LineContext): Passage | undefined {
  const answer = answerOf(context);
  if (!answer || !context.example) return undefined;
  const prompt = normal(promptText(context.example) ?? '');
  if (prompt.split(' ').length < PASSAGE_WORDS) return undefined;
  return { prompt, answer: normal(answer.content!) };
}

/**
 * Whether two similar examples are different questions about one passage (T0's reading
 * comprehension: 6,354 of 22,339 near-duplicates on 55,000 lines, before clusters): both prompts
 * long and not the same, and either the answers differ or what differs between the prompts is a
 * question (another question, the same answer).
 */
function sharesPassage(a: Passage | undefined, b: Passage | undefined): boolean {
  if (!a || !b || a.prompt === b.prompt) return false;
  if (a.answer !== b.answer) return true;
  const [promptA, promptB] = [a.prompt, b.prompt];
  const shorter = Math.min(promptA.length, promptB.length);
  let start = 0;
  while (start < shorter && promptA[start] === promptB[start]) start++;
  let end = 0;
  while (end < shorter - start && promptA.at(-1 - end) === promptB.at(-1 - end)) end++;
  // The question mark ends the differing question, so it may open the common suffix.
  const differs = (prompt: string): string => prompt.slice(start, prompt.length - end + 1);
  return differs(promptA).includes('?') || differs(promptB).includes('?');
}
