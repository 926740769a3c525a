/**
 * `consistency/length-outlier`: answers (or `text` examples) far longer or shorter than the rest, by
 * median absolute deviation of the log length. Log scale because lengths are skewed: an answer ten
 * times the median is as unusual as one a tenth of it. Lengths live in a Float32Array; report sorts a
 * copy for the median.
 */
import { datasetChecker, type LineContext } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';
import { IdSet } from './columns.ts';
import { answerOf, contentRange, isOn } from './common.ts';

export const LENGTH_OUTLIER: RuleMeta = {
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
    return {
      add(id, length) {
        if (set.add(id)) logLength.values[id] = Math.log1p(length);
      },
      remove(id) {
        set.remove(id);
      },
      report(lines, report) {
        if (!on || set.size < MIN_EXAMPLES) return;
        const ids = set.ids();
        const values = new Float32Array(ids.length);
        for (let i = 0; i < ids.length; i++) values[i] = logLength.values[ids[i]!]!;
        const mid = median(values.slice().sort());
        const deviations = values.map((v) => Math.abs(v - mid)).sort();
        const mad = median(deviations);
        // All lengths (nearly) equal, as with labels: no spread to measure outliers against.
        if (mad < 1e-6) return;
        const typical = Math.round(Math.expm1(mid));
        for (let i = 0; i < ids.length; i++) {
          const distance = Math.abs(values[i]! - mid) / mad;
          if (distance <= mads) continue;
          const context = lines.context(ids[i]!);
          const what = measured(context);
          if (!what) continue;
          const side = values[i]! > mid ? 'longer' : 'shorter';
          report(LENGTH_OUTLIER.code, {
            message: `The ${what.what} is ${what.length.toLocaleString('en-US')} characters, far ${side} than the median of ${typical.toLocaleString('en-US')} (${distance.toFixed(1)} MADs)`,
            range: what.range(),
          });
        }
      },
    };
  },
});
