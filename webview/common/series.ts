/**
 * The loss curve's data: every point is kept, but only a few thousand are drawn. A canvas a thousand
 * pixels wide cannot show 100,000 points; the min and max of each bucket keep every spike visible,
 * which plain every-nth sampling would drop.
 */

/** Debiased exponential moving average, as TensorBoard's smoothing slider (weight 0..1). */
const SMOOTHING = 0.9;

export class Series {
  steps: number[] = [];
  values: (number | null)[] = [];
  smooth: (number | null)[] = [];
  extra: (number | null)[] = [];
  private ema = 0;
  private weightSum = 0;

  /** Adds a point; a step at or before the last one (a resumed run repeating steps) replaces the tail. */
  add(step: number, value: number | null, extra: number | null = null): void {
    if (this.steps.length > 0 && step <= this.steps[this.steps.length - 1]!) this.truncateFrom(step);
    this.steps.push(step);
    this.values.push(value);
    this.extra.push(extra);
    if (value === null) {
      this.smooth.push(null);
      return;
    }
    this.ema = SMOOTHING * this.ema + (1 - SMOOTHING) * value;
    this.weightSum = SMOOTHING * this.weightSum + (1 - SMOOTHING);
    this.smooth.push(this.ema / this.weightSum);
  }

  get length(): number {
    return this.steps.length;
  }

  private truncateFrom(step: number): void {
    let keep = this.steps.length;
    while (keep > 0 && this.steps[keep - 1]! >= step) keep -= 1;
    this.steps.length = keep;
    this.values.length = keep;
    this.smooth.length = keep;
    this.extra.length = keep;
    // Recompute the smoothing state from what is left (a resume is rare; this is linear once).
    this.ema = 0;
    this.weightSum = 0;
    for (const value of this.values) {
      if (value === null) continue;
      this.ema = SMOOTHING * this.ema + (1 - SMOOTHING) * value;
      this.weightSum = SMOOTHING * this.weightSum + (1 - SMOOTHING);
    }
  }
}

/** Indices to draw: all when few, else the first, min and max of each of `buckets` buckets, in order. */
export function pickIndices(values: readonly (number | null)[], buckets: number): number[] {
  const n = values.length;
  if (n <= buckets * 3) return Array.from({ length: n }, (_, index) => index);
  const picked: number[] = [];
  for (let bucket = 0; bucket < buckets; bucket += 1) {
    const start = Math.floor((bucket * n) / buckets);
    const end = Math.floor(((bucket + 1) * n) / buckets);
    let min = -1;
    let max = -1;
    for (let index = start; index < end; index += 1) {
      const value = values[index];
      if (value === null || value === undefined) continue;
      if (min === -1 || value < values[min]!) min = index;
      if (max === -1 || value > values[max]!) max = index;
    }
    // start <= min, max (both -1 in a bucket of nulls): push the distinct ones in order, without a
    // Set and a sort per bucket, which made garbage for 1,000 buckets on every frame.
    picked.push(start);
    const low = Math.min(min, max);
    const high = Math.max(min, max);
    if (low > start) picked.push(low);
    if (high > start && high !== low) picked.push(high);
  }
  if (picked[picked.length - 1] !== n - 1) picked.push(n - 1);
  return picked;
}

/**
 * uPlot's aligned columns: x (step), train loss, smoothed train loss, eval loss, learning rate. Train
 * and eval points sit at different steps; each column has null where its series has no point.
 */
export function chartColumns(train: Series, evals: Series, buckets: number): (number | null)[][] {
  const picked = pickIndices(train.values, buckets);
  const x: number[] = [];
  const loss: (number | null)[] = [];
  const smooth: (number | null)[] = [];
  const evalLoss: (number | null)[] = [];
  const lr: (number | null)[] = [];
  let e = 0;
  const pushEval = (index: number): void => {
    x.push(evals.steps[index]!);
    loss.push(null);
    smooth.push(null);
    evalLoss.push(evals.values[index]!);
    lr.push(null);
  };
  for (const index of picked) {
    const step = train.steps[index]!;
    while (e < evals.length && evals.steps[e]! < step) pushEval(e++);
    x.push(step);
    loss.push(train.values[index]!);
    smooth.push(train.smooth[index]!);
    lr.push(train.extra[index]!);
    if (e < evals.length && evals.steps[e] === step) evalLoss.push(evals.values[e++]!);
    else evalLoss.push(null);
  }
  while (e < evals.length) pushEval(e++);
  return [x, loss, smooth, evalLoss, lr];
}
