/**
 * `consistency/length-outlier`: answers (or `text` examples) far longer or shorter than the rest, by
 * median absolute deviation of the log length. Log scale because lengths are skewed: an answer ten
 * times the median is as unusual as one a tenth of it. Lengths live in a Float32Array, and are kept
 * sorted across edits (`SortedPairs`, keyed by the float's bits): a report finds the median at once,
 * the median deviation by a binary search out from it, and the outliers at the two ends. In the
 * editor `update` reports them all again when the median or the deviation moved, else only the
 * changed and moved lines.
 */
import { datasetChecker, type LineAccess, type LineContext, type Report } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';
import { IdSet } from './columns.ts';
import { answerOf, contentRange, isOn } from './common.ts';
import { SortedPairs, type SortedIds } from './grouping.ts';

const LENGTH_OUTLIER: RuleMeta = {
  code: 'consistency/length-outlier',
  family: 'consistency',
  description: 'An answer is far longer or shorter than the others.',
  defaultSeverity: 'info',
  fixable: false,
};

const MIN_EXAMPLES = 20;

function measured(
  context: LineContext,
):
  | { length: number; what: string; text: string; range: () => ReturnType<LineContext['lineRange']> }
  | undefined {
  const answer = answerOf(context);
  if (answer)
    return {
      length: answer.content!.length,
      what: 'answer',
      text: answer.content!,
      range: () => contentRange(context, answer),
    };
  const text = context.example?.text;
  if (text === undefined) return undefined;
  return {
    length: text.length,
    what: 'text',
    text,
    range: () => {
      const span = context.json?.valueSpan(['text']);
      return span ? context.range(span) : context.lineRange();
    },
  };
}

function median(sorted: Float32Array): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The median of `|v - mid|` over sorted `values`, each rounded to a float as a Float32Array holds
 * it. Deviations grow walking out from `mid` on either side: two sorted sequences, whose k-th
 * smallest element a binary search finds in O(log n) (the editor reports after every edit that
 * changes lengths, and a walk of half the file was most of that report).
 */
function medianDeviation(values: Float32Array, mid: number): number {
  const n = values.length;
  let right = 0;
  for (let high = n; right < high;) {
    const m = (right + high) >>> 1;
    if (values[m]! < mid) right = m + 1;
    else high = m;
  }
  // The i-th deviation on each side (0-based), Infinity past its end.
  const below = (i: number): number => (i < right ? Math.fround(mid - values[right - 1 - i]!) : Infinity);
  const above = (i: number): number => (right + i < n ? Math.fround(values[right + i]! - mid) : Infinity);
  /** The k-th smallest (0-based) of both sides together. */
  const kth = (k: number): number => {
    // Take i from below and k + 1 - i from above: the largest i whose last taken is not past the
    // next one above.
    let [low, high] = [Math.max(0, k + 1 - (n - right)), Math.min(k + 1, right)];
    while (low < high) {
      const i = (low + high + 1) >>> 1;
      if (below(i - 1) <= above(k + 1 - i)) low = i;
      else high = i - 1;
    }
    const i = low;
    return Math.max(i > 0 ? below(i - 1) : -Infinity, k + 1 - i > 0 ? above(k - i) : -Infinity);
  };
  if (n === 0) return 0;
  const wanted = n >> 1;
  return n % 2 === 1 ? kth(wanted) : (kth(wanted - 1) + kth(wanted)) / 2;
}

/** Where the lengths centre and how far they spread; undefined when there is no spread. */
interface Spread {
  mid: number;
  mad: number;
}

function spreadOf(values: Float32Array): Spread | undefined {
  const mid = median(values);
  const mad = medianDeviation(values, mid);
  // All lengths (nearly) equal, as with labels: no spread to measure outliers against.
  return mad < 1e-6 ? undefined : { mid, mad };
}

/** The sorted keys as the log lengths they are the bits of. */
function lengthsOf(sorted: SortedIds): Float32Array {
  return new Float32Array(sorted.keys.buffer, sorted.keys.byteOffset, sorted.keys.length);
}

function distance(value: number, spread: Spread): number {
  return Math.abs(value - spread.mid) / spread.mad;
}

/** Reports example `id` of log length `value` as an outlier; false when its line has nothing measured. */
function reportOutlier(
  id: number,
  value: number,
  spread: Spread,
  lines: LineAccess,
  report: Report,
): boolean {
  const what = measured(lines.context(id));
  if (!what) return false;
  const side = value > spread.mid ? 'longer' : 'shorter';
  // A label, a one-letter choice or "You too!" is short by nature, not by mistake (issue 14: 4 of 30
  // such findings were worth reading on real data). Empty and cut-off answers have rules of their own.
  if (side === 'shorter' && labelLike(what.text)) return false;
  const typical = Math.round(Math.expm1(spread.mid));
  report(LENGTH_OUTLIER.code, {
    message: `The ${what.what} is ${what.length.toLocaleString('en-US')} characters, far ${side} than the median of ${typical.toLocaleString('en-US')} (${distance(value, spread).toFixed(1)} MADs)`,
    range: what.range(),
  });
  return true;
}

/** At most a few words and no sentence inside: a label, a choice, a number, a short reply. */
const LABEL_WORDS = 3;
const LABEL_CHARS = 40;

function labelLike(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.length <= LABEL_CHARS && trimmed.split(/\s+/u).length <= LABEL_WORDS;
}

/** Reports every outlier (the ends of the sorted lengths), in id order; returns their ids. */
function reportOutliers(
  sorted: SortedIds,
  spread: Spread | undefined,
  mads: number,
  lines: LineAccess,
  report: Report,
): number[] {
  if (!spread) return [];
  const values = lengthsOf(sorted);
  const far = (i: number): boolean => distance(values[i]!, spread) > mads;
  const outliers: number[] = [];
  let low = 0;
  while (low < values.length && far(low)) outliers.push(low++);
  for (let high = values.length - 1; high >= low && far(high); high--) outliers.push(high);
  outliers.sort((a, b) => sorted.ids[a]! - sorted.ids[b]!);
  return outliers
    .filter((i) => reportOutlier(sorted.ids[i]!, values[i]!, spread, lines, report))
    .map((i) => sorted.ids[i]!);
}

/** Bits of a non-negative float, which order as the floats do. */
const float = new Float32Array(1);
const bits = new Uint32Array(float.buffer);

export const lengthOutlierChecker = datasetChecker<number>({
  kind: 'dataset',
  rules: [LENGTH_OUTLIER],
  extract(context) {
    return measured(context)?.length;
  },
  createIndex(config) {
    const set = new IdSet();
    const logLength = set.column(Float32Array);
    const on = isOn(config, LENGTH_OUTLIER);
    const mads = config.consistency.lengthOutlierMads;
    const byLength = new SortedPairs((id) => {
      float[0] = logLength.values[id]!;
      return bits[0]!;
    });
    /** The spread of the previous `update`; undefined before the first. */
    let last: { spread: Spread | undefined } | undefined;
    /** The ids `update` reports as outliers, renumbered by `move`. */
    let outliers = new Set<number>();
    return {
      add(id, length) {
        if (!set.add(id)) return;
        logLength.values[id] = Math.log1p(Math.max(length, 0));
        byLength.added(id);
      },
      remove(id) {
        if (!set.has(id)) return;
        byLength.removing(id);
        set.remove(id);
      },
      move(from, delta) {
        set.move(from, delta);
        byLength.move(from, delta);
        outliers = new Set([...outliers].map((id) => (id >= from ? id + delta : id)));
      },
      report(lines, report) {
        if (!on || set.size < MIN_EXAMPLES) return;
        const sorted = byLength.sorted(() => set.ids());
        reportOutliers(sorted, spreadOf(lengthsOf(sorted)), mads, lines, report);
      },
      // Every outlier's message names the median and its distance in deviations, which any length
      // can move: when they moved, all outliers are reported again (a few, at the two ends of the
      // kept sorted lengths) with those of the previous update, whose findings the caller drops;
      // when not (a keystroke that keeps the length), only the changed and moved ids are, so a
      // keystroke costs the same however many outliers the file has.
      update(lines, report, restate) {
        const { sorted, changes } = byLength.update(() => set.ids());
        const spread = on && set.size >= MIN_EXAMPLES ? spreadOf(lengthsOf(sorted)) : undefined;
        const previous = last;
        last = { spread };
        if (!previous || !changes) {
          outliers = new Set(reportOutliers(sorted, spread, mads, lines, report));
          return 'all';
        }
        const same = previous.spread?.mid === spread?.mid && previous.spread?.mad === spread?.mad;
        if (!same) {
          const before = outliers;
          outliers = new Set(reportOutliers(sorted, spread, mads, lines, report));
          return new Set([...before, ...outliers]);
        }
        const changed = new Set<number>(restate);
        for (let i = 2; i < changes.length; i += 3) changed.add(changes[i]!);
        for (const id of changed) {
          outliers.delete(id);
          const value = logLength.values[id]!;
          if (
            spread &&
            set.has(id) &&
            distance(value, spread) > mads &&
            reportOutlier(id, value, spread, lines, report)
          )
            outliers.add(id);
        }
        return changed;
      },
    };
  },
});
