import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type uPlot from 'uplot';
import { STEP_INCREMENTS, significantDigits } from '../../../webview/common/axes.ts';
import { Series, chartColumns, pickIndices } from '../../../webview/common/series.ts';

const lossValues = fc.array(fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { nil: null }), {
  maxLength: 5_000,
  size: 'large',
});

test('downsampling keeps, in order, each bucket’s first point and its lowest and highest loss', () => {
  fc.assert(
    fc.property(lossValues, fc.integer({ min: 1, max: 60 }), (values, buckets) => {
      const picked = pickIndices(values, buckets);
      const n = values.length;
      for (let i = 1; i < picked.length; i += 1)
        assert.ok(picked[i - 1]! < picked[i]!, 'strictly increasing');
      if (n <= buckets * 3) {
        assert.deepEqual(picked, [...Array(n).keys()]);
        return;
      }
      assert.ok(picked.length <= buckets * 3 + 1, `${picked.length} points for ${buckets} buckets`);
      assert.equal(picked[0], 0);
      assert.equal(picked.at(-1), n - 1);
      const kept = new Set(picked);
      for (let bucket = 0; bucket < buckets; bucket += 1) {
        const start = Math.floor((bucket * n) / buckets);
        const end = Math.floor(((bucket + 1) * n) / buckets);
        const present = values.slice(start, end).filter((v): v is number => v !== null);
        if (present.length === 0) continue;
        const shown = [...kept].filter((i) => i >= start && i < end).map((i) => values[i]);
        const least = present.reduce((a, b) => Math.min(a, b));
        const most = present.reduce((a, b) => Math.max(a, b));
        assert.ok(shown.includes(least), `bucket ${bucket} keeps its minimum`);
        assert.ok(shown.includes(most), `bucket ${bucket} keeps its maximum`);
      }
    }),
  );
});

test('a spike among 100,000 steps is drawn; eval points sit at their own steps', () => {
  const train = new Series();
  for (let step = 0; step < 100_000; step += 1) train.add(step, step === 54_321 ? 9 : 1, 2e-4);
  const evals = new Series();
  evals.add(50_000, 0.8);
  const [x, loss, , evalLoss] = chartColumns(train, evals, 1_000);
  assert.ok(x!.length <= 3_002);
  assert.equal(loss![x!.indexOf(54_321)], 9);
  assert.equal(evalLoss![x!.indexOf(50_000)], 0.8);
});

test('tick labels tell learning rates apart; step ticks fall on whole steps', () => {
  const chart = undefined as unknown as uPlot;
  const learningRates = [0.001, 0.0012, 0.0014, 0.0016, 0.0018, 0.002];
  assert.deepEqual(significantDigits(chart, learningRates), [
    '0.001',
    '0.0012',
    '0.0014',
    '0.0016',
    '0.0018',
    '0.002',
  ]);
  assert.deepEqual(significantDigits(chart, [2e-5, 4e-5, 0.30000000000000004, 3.65]), [
    '0.00002',
    '0.00004',
    '0.3',
    '3.65',
  ]);
  assert.ok(STEP_INCREMENTS.every(Number.isInteger) && STEP_INCREMENTS[0] === 1);
});
