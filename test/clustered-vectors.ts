/**
 * Unit vectors with the structure of sentence embeddings, for the pair-search test and benchmark: a
 * direction all of them share (random prompts of all-MiniLM-L6-v2 have cosines of 0–0.3, not 0),
 * topics and subtopics of skewed sizes (same subtopic: 0.4–0.75) and near-duplicates of earlier
 * vectors (0.78–0.96, most of them above the rules' 0.82; a near-duplicate's own near-duplicates make chains).
 */
import { seededRandom } from '../src/core/split/plan.ts';

function normalise(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const scale = 1 / Math.sqrt(sum);
  for (let i = 0; i < v.length; i++) v[i]! *= scale;
  return v;
}

export interface ClusteredOptions {
  readonly dimensions?: number;
  readonly seed?: number;
  /** Share of vectors that are near-duplicates of an earlier one. */
  readonly duplicates?: number;
}

export function clusteredVectors(n: number, options: ClusteredOptions = {}): Float32Array[] {
  const { dimensions = 384, seed = 1, duplicates = 0.15 } = options;
  const next = seededRandom(seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
  const direction = (): Float32Array => normalise(Float32Array.from({ length: dimensions }, gauss));
  const shared = direction();
  const topics = Array.from({ length: Math.max(4, Math.round(n / 500)) }, direction);
  const subtopics = Array.from({ length: Math.max(16, Math.round(n / 10)) }, () => ({
    topic: topics[Math.floor(next() ** 2 * topics.length)]!,
    direction: direction(),
  }));
  const noise = 1 / Math.sqrt(dimensions);
  const out: Float32Array[] = [];
  for (let k = 0; k < n; k++) {
    const v = new Float32Array(dimensions);
    if (k > 0 && next() < duplicates) {
      const parent = out[Math.floor(next() * k)]!;
      const spread = (0.3 + next() * 0.5) * noise;
      for (let i = 0; i < dimensions; i++) v[i] = parent[i]! + spread * gauss();
    } else {
      const { topic, direction: sub } = subtopics[Math.floor(next() ** 1.5 * subtopics.length)]!;
      const weight = 0.45 + 0.25 * next();
      for (let i = 0; i < dimensions; i++)
        v[i] = 0.35 * shared[i]! + 0.5 * topic[i]! + weight * sub[i]! + 0.75 * noise * gauss();
    }
    out.push(normalise(v));
  }
  return out;
}
