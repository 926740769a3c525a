/**
 * `consistency/length-outlier`: answers (or `text` examples) far longer or shorter than the rest of
 * their task, by median absolute deviation of the log length. Log scale because lengths are skewed:
 * an answer ten times the median is as unusual as one a tenth of it. A task is the system prompt
 * together with what is measured (the answer turn's role, or `text`): a file mixing a one-word
 * classifier with an essay writer has two length distributions, not one wide one (issue 14). Each
 * example's key is its task's 12-bit hash above its length in characters, kept sorted across edits
 * (`SortedPairs`): a task's lengths are one run of the sorted keys, where a report finds the median at
 * once, the median deviation by a binary search out from it, and the outliers at the two ends. In the
 * editor `update` reports them all again when a task's median or deviation moved, else only the
 * changed and moved lines.
 */
import { datasetChecker, type LineAccess, type LineContext, type Report } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';
import { IdSet } from './columns.ts';
import { answerOf, contentRange, isOn } from './common.ts';
import { SortedPairs, type SortedIds } from './grouping.ts';
import { hashString } from './hashing.ts';
import { systemTurn } from '../../engine/formats.ts';

const LENGTH_OUTLIER: RuleMeta = {
  code: 'consistency/length-outlier',
  family: 'consistency',
  description: 'An answer is far longer or shorter than the others.',
  defaultSeverity: 'info',
  fixable: false,
};

/** A task with fewer examples is not judged. */
const MIN_EXAMPLES = 20;
/**
 * Keys are `task << LENGTH_BITS | length`. Lengths are capped at a million characters (a longer one
 * is an outlier anyway; its message still names its true length), leaving 12 bits of task hash: two
 * tasks that collide are judged together, the same way in the editor and in a fresh lint.
 */
const LENGTH_BITS = 20;
const MAX_LENGTH = (1 << LENGTH_BITS) - 1;

function measured(context: LineContext):
  | {
      length: number;
      what: string;
      role: string;
      text: string;
      range: () => ReturnType<LineContext['lineRange']>;
    }
  | undefined {
  const answer = answerOf(context);
  if (answer)
    return {
      length: answer.content!.length,
      what: 'answer',
      role: answer.canonicalRole ?? answer.role ?? '',
      text: answer.content!,
      range: () => contentRange(context, answer),
    };
  const text = context.example?.text;
  if (text === undefined) return undefined;
  return {
    length: text.length,
    what: 'text',
    role: '',
    text,
    range: () => {
      const span = context.json?.valueSpan(['text']);
      return span ? context.range(span) : context.lineRange();
    },
  };
}

/**
 * The last task hashed: consecutive lines mostly share their system prompt, and comparing it is
 * cheaper than hashing it again.
 */
let lastTask: { what: string; role: string; system: string; task: number } | undefined;

/** The task of a line: what is measured, by which role, under which system prompt. */
function taskOf(context: LineContext, what: string, role: string): number {
  const system = (context.example ? systemTurn(context.example)?.content : undefined) ?? '';
  if (lastTask?.what === what && lastTask.role === role && lastTask.system === system) return lastTask.task;
  // The top 12 bits of the hash: the task bits of a key.
  const task = hashString(`${what}\u0000${role}\u0000${system}`) >>> LENGTH_BITS;
  lastTask = { what, role, system, task };
  return task;
}

function keyOf(task: number, length: number): number {
  return ((task << LENGTH_BITS) | Math.min(Math.max(length, 0), MAX_LENGTH)) >>> 0;
}

/** The log length of a key, as the Float32Array this rule kept before tasks held it. */
function logLengthOf(key: number): number {
  return Math.fround(Math.log1p(key & MAX_LENGTH));
}

/** The log lengths of one task: a run of the sorted keys, read through without a copy. */
interface Values {
  readonly length: number;
  at(i: number): number;
}

function median(sorted: Values): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted.at(mid) : (sorted.at(mid - 1) + sorted.at(mid)) / 2;
}

/**
 * The median of `|v - mid|` over sorted `values`, each rounded to a float as a Float32Array holds
 * it. Deviations grow walking out from `mid` on either side: two sorted sequences, whose k-th
 * smallest element a binary search finds in O(log n) (the editor reports after every edit that
 * changes lengths, and a walk of half the file was most of that report).
 */
function medianDeviation(values: Values, mid: number): number {
  const n = values.length;
  let right = 0;
  for (let high = n; right < high;) {
    const m = (right + high) >>> 1;
    if (values.at(m) < mid) right = m + 1;
    else high = m;
  }
  // The i-th deviation on each side (0-based), Infinity past its end.
  const below = (i: number): number => (i < right ? Math.fround(mid - values.at(right - 1 - i)) : Infinity);
  const above = (i: number): number => (right + i < n ? Math.fround(values.at(right + i) - mid) : Infinity);
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

function spreadOf(values: Values): Spread | undefined {
  if (values.length < MIN_EXAMPLES) return undefined;
  const mid = median(values);
  const mad = medianDeviation(values, mid);
  // All lengths (nearly) equal, as with labels: no spread to measure outliers against.
  return mad < 1e-6 ? undefined : { mid, mad };
}

/** One task's run of the sorted keys: `start` to `end`. */
interface Run {
  task: number;
  start: number;
  values: Values;
}

/** The runs of every task in `sorted`, in key order: a binary search per task, not a walk. */
function runsOf(sorted: SortedIds): Run[] {
  const keys = sorted.keys;
  const runs: Run[] = [];
  for (let start = 0; start < keys.length;) {
    const task = keys[start]! >>> LENGTH_BITS;
    const next = (task + 1) * (MAX_LENGTH + 1);
    let end = start;
    for (let high = keys.length; end < high;) {
      const m = (end + high) >>> 1;
      if (keys[m]! < next) end = m + 1;
      else high = m;
    }
    const offset = start;
    runs.push({ task, start, values: { length: end - start, at: (i) => logLengthOf(keys[offset + i]!) } });
    start = end;
  }
  return runs;
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

/** Every task's spread, by task; a task too small or without spread has none. */
function spreadsOf(sorted: SortedIds): { runs: Run[]; spreads: Map<number, Spread> } {
  const runs = runsOf(sorted);
  const spreads = new Map<number, Spread>();
  for (const run of runs) {
    const spread = spreadOf(run.values);
    if (spread) spreads.set(run.task, spread);
  }
  return { runs, spreads };
}

/** Reports every outlier (the ends of each task's sorted lengths), in id order; returns their ids. */
function reportOutliers(
  sorted: SortedIds,
  runs: Run[],
  spreads: Map<number, Spread>,
  mads: number,
  lines: LineAccess,
  report: Report,
): number[] {
  const outliers: { index: number; value: number; spread: Spread }[] = [];
  for (const { task, start, values } of runs) {
    const spread = spreads.get(task);
    if (!spread) continue;
    const far = (i: number): boolean => distance(values.at(i), spread) > mads;
    const add = (i: number): number => outliers.push({ index: start + i, value: values.at(i), spread });
    let low = 0;
    while (low < values.length && far(low)) add(low++);
    for (let high = values.length - 1; high >= low && far(high); high--) add(high);
  }
  outliers.sort((a, b) => sorted.ids[a.index]! - sorted.ids[b.index]!);
  return outliers
    .filter(({ index, value, spread }) => reportOutlier(sorted.ids[index]!, value, spread, lines, report))
    .map(({ index }) => sorted.ids[index]!);
}

function sameSpreads(a: Map<number, Spread>, b: Map<number, Spread>): boolean {
  if (a.size !== b.size) return false;
  for (const [task, spread] of a) {
    const other = b.get(task);
    if (other?.mid !== spread.mid || other.mad !== spread.mad) return false;
  }
  return true;
}

export const lengthOutlierChecker = datasetChecker<number>({
  kind: 'dataset',
  rules: [LENGTH_OUTLIER],
  extract(context) {
    const what = measured(context);
    return what && keyOf(taskOf(context, what.what, what.role), what.length);
  },
  createIndex(config) {
    const set = new IdSet();
    const keys = set.column(Uint32Array);
    const on = isOn(config, LENGTH_OUTLIER);
    const mads = config.consistency.lengthOutlierMads;
    const byLength = new SortedPairs((id) => keys.values[id]!);
    /** The task spreads of the previous `update`; undefined before the first. */
    let last: Map<number, Spread> | undefined;
    /** The ids `update` reports as outliers, renumbered by `move`. */
    let outliers = new Set<number>();
    return {
      add(id, key) {
        if (!set.add(id)) return;
        keys.values[id] = key;
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
        const { runs, spreads } = spreadsOf(sorted);
        reportOutliers(sorted, runs, spreads, mads, lines, report);
      },
      // Every outlier's message names the median and its distance in deviations, which any length
      // can move: when they moved, all outliers are reported again (a few, at the two ends of the
      // kept sorted lengths) with those of the previous update, whose findings the caller drops;
      // when not (a keystroke that keeps the length), only the changed and moved ids are, so a
      // keystroke costs the same however many outliers the file has.
      update(lines, report, restate) {
        const { sorted, changes } = byLength.update(() => set.ids());
        const { runs, spreads } =
          on && set.size >= MIN_EXAMPLES
            ? spreadsOf(sorted)
            : { runs: [], spreads: new Map<number, Spread>() };
        const previous = last;
        last = spreads;
        if (!previous || !changes) {
          outliers = new Set(reportOutliers(sorted, runs, spreads, mads, lines, report));
          return 'all';
        }
        if (!sameSpreads(previous, spreads)) {
          const before = outliers;
          outliers = new Set(reportOutliers(sorted, runs, spreads, mads, lines, report));
          return new Set([...before, ...outliers]);
        }
        const changed = new Set<number>(restate);
        for (let i = 2; i < changes.length; i += 3) changed.add(changes[i]!);
        for (const id of changed) {
          outliers.delete(id);
          const key = keys.values[id]!;
          const value = logLengthOf(key);
          const spread = spreads.get(key >>> LENGTH_BITS);
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
