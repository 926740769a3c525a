/**
 * `consistency/length-outlier`: answers (or `text` examples) far longer or shorter than the rest, by
 * median absolute deviation of the log length. Log scale because lengths are skewed: an answer ten
 * times the median is as unusual as one a tenth of it. Lengths live in a Float32Array, and are kept
 * sorted across edits (`SortedPairs`, keyed by the float's bits): a report finds the median at once,
 * the median deviation by walking out from it, and the outliers at the two ends.
 */
import { datasetChecker, type LineContext } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';
import { IdSet } from './columns.ts';
import { answerOf, contentRange, isOn } from './common.ts';
import { SortedPairs } from './grouping.ts';

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
): { length: number; what: string; range: () => ReturnType<LineContext['lineRange']> } | undefined {
  const answer = answerOf(context);
  if (answer)
    return { length: answer.content!.length, what: 'answer', range: () => contentRange(context, answer) };
  const text = context.example?.text;
  if (text === undefined) return undefined;
  return {
    length: text.length,
    what: 'text',
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
 * it. Deviations grow walking out from `mid` on either side, so the two sides merge in order.
 */
function medianDeviation(values: Float32Array, mid: number): number {
  const n = values.length;
  let right = 0;
  while (right < n && values[right]! < mid) right++;
  let left = right - 1;
  const wanted = n >> 1;
  let previous = 0;
  for (let k = 0; k <= wanted; k++) {
    const fromLeft = left >= 0 ? Math.fround(mid - values[left]!) : Infinity;
    const fromRight = right < n ? Math.fround(values[right]! - mid) : Infinity;
    const deviation = fromLeft <= fromRight ? fromLeft : fromRight;
    if (fromLeft <= fromRight) left--;
    else right++;
    if (k === wanted) return n % 2 === 1 ? deviation : (previous + deviation) / 2;
    previous = deviation;
  }
  return 0;
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
      report(lines, report) {
        if (!on || set.size < MIN_EXAMPLES) return;
        const sorted = byLength.sorted(() => set.ids());
        const values = new Float32Array(sorted.keys.buffer, sorted.keys.byteOffset, sorted.keys.length);
        const n = values.length;
        const mid = median(values);
        const mad = medianDeviation(values, mid);
        // All lengths (nearly) equal, as with labels: no spread to measure outliers against.
        if (mad < 1e-6) return;
        const typical = Math.round(Math.expm1(mid));
        const distance = (i: number): number => Math.abs(values[i]! - mid) / mad;
        // Outliers are the ends of the sorted lengths; reported in id order.
        const outliers: number[] = [];
        let low = 0;
        while (low < n && distance(low) > mads) outliers.push(low++);
        for (let high = n - 1; high >= low && distance(high) > mads; high--) outliers.push(high);
        outliers.sort((a, b) => sorted.ids[a]! - sorted.ids[b]!);
        for (const i of outliers) {
          const context = lines.context(sorted.ids[i]!);
          const what = measured(context);
          if (!what) continue;
          const side = values[i]! > mid ? 'longer' : 'shorter';
          report(LENGTH_OUTLIER.code, {
            message: `The ${what.what} is ${what.length.toLocaleString('en-US')} characters, far ${side} than the median of ${typical.toLocaleString('en-US')} (${distance(i).toFixed(1)} MADs)`,
            range: what.range(),
          });
        }
      },
    };
  },
});
