/**
 * The pair search behind the semantic rules: for each example, the most similar one (at or above the
 * threshold) among the earlier ones, or among the training examples. Up to ~700 vectors every pair is
 * compared in JavaScript (`exactBest*`); beyond, an inverted-file index (IVF) finds them.
 *
 * Why IVF, written here, rather than a library: the HNSW of `usearch` (prebuilt, the best-kept of the npm
 * ANN packages) took 279 s to build over 100,000 vectors on this project's 2-core build machine
 * (docs/benchmarks.md, "Pair search"), and the rules need every pair above a threshold, which a k-nearest
 * search answers only approximately. IVF does: a spherical k-means quantiser puts each vector in the
 * list of its nearest centroid; each vector is compared, exactly and as one matrix product per list
 * (onnxruntime's Gemm, `gemm.ts`), with the vectors of its `probes` nearest lists. A pair is missed only
 * when neither vector's probes reach the other's list, which near-duplicates (cosine ≥ 0.82, at most
 * 35° apart) rarely are. The cosine of each match is recomputed with `dot`, so a pair found is reported
 * as the exact search reports it (the partner can differ only where two cosines tie within ~1e-6).
 */
import { dot } from './vectors.ts';
import { Gemm } from './gemm.ts';
import { seededRandom } from '../split/plan.ts';

export interface Match {
  /** The matched vector's index (in the vectors searched, or the base). */
  readonly index: number;
  readonly cosine: number;
}

export interface PairSearchOptions {
  /** Compare every pair exactly (in JavaScript) while there are at most this many pairs. */
  readonly exactPairs?: number;
  /** IVF lists; default 1.6·√n. */
  readonly lists?: number;
  /** Lists each vector is compared with (its own included). */
  readonly probes?: number;
  /** onnxruntime's threads. */
  readonly threads?: number;
}

/**
 * ~700 vectors: the JavaScript loop takes ~0.2 s there (~1 µs a pair of 384 dimensions), what loading
 * onnxruntime and building the index cost; at 2,000 vectors it takes 1.8 s of CPU, the index 0.11 s.
 */
const EXACT_PAIRS = 250_000;
/**
 * Measured on clustered vectors (docs/benchmarks.md, "Pair search"): at 100,000 vectors 300 and 500
 * lists (1.6·√n) cost 10.5 s of CPU, 900 12.5 s, 1,265 17 s (the k-means and the assignment grow with
 * the lists, the search shrinks); 8 probes found every pair of 10,000 where 2 found 98–99.5% and 4
 * 99.9–100%: the margin is for real data, which is less tidy.
 */
const LISTS_PER_ROOT = 1.6;
const DEFAULT_PROBES = 8;
/** k-means trains on this many vectors a list, for this many rounds. */
const SAMPLE_PER_LIST = 24;
const ITERATIONS = 6;
/** The Gemm's output is at most this many floats (16 MB) per call. */
const BLOCK = 4 << 20;
/** Gemm's float32 sums may differ from `dot`'s in the 6th decimal: candidates this near the threshold are rechecked. */
const SLACK = 1e-4;

/** Whether `cosine` at `index` beats `best` (ties to the earlier vector, as the exact loops order them). */
function better(cosine: number, index: number, best: Match | undefined): boolean {
  return !best || cosine > best.cosine || (cosine === best.cosine && index < best.index);
}

/** For each vector, the most similar earlier one at or above `threshold` (every pair compared). */
export function exactBestEarlier(vectors: readonly Float32Array[], threshold: number): (Match | undefined)[] {
  return vectors.map((v, j) => {
    let best: Match | undefined;
    for (let i = 0; i < j; i++) {
      const cosine = dot(vectors[i]!, v);
      if (cosine >= threshold && better(cosine, i, best)) best = { index: i, cosine };
    }
    return best;
  });
}

/** For each query, the most similar base vector at or above `threshold` (every pair compared). */
export function exactBestIn(
  base: readonly Float32Array[],
  queries: readonly Float32Array[],
  threshold: number,
): (Match | undefined)[] {
  return queries.map((q) => {
    let best: Match | undefined;
    base.forEach((b, i) => {
      const cosine = dot(b, q);
      if (cosine >= threshold && better(cosine, i, best)) best = { index: i, cosine };
    });
    return best;
  });
}

export async function bestEarlier(
  vectors: readonly Float32Array[],
  threshold: number,
  options: PairSearchOptions = {},
): Promise<(Match | undefined)[]> {
  const n = vectors.length;
  if ((n * (n - 1)) / 2 <= (options.exactPairs ?? EXACT_PAIRS)) return exactBestEarlier(vectors, threshold);
  return withGemm(options, async (gemm) => {
    const index = await IvfIndex.build(vectors, gemm, options);
    return index.search(vectors, threshold, true);
  });
}

export async function bestIn(
  base: readonly Float32Array[],
  queries: readonly Float32Array[],
  threshold: number,
  options: PairSearchOptions = {},
): Promise<(Match | undefined)[]> {
  if (base.length === 0) return queries.map(() => undefined);
  if (base.length * queries.length <= (options.exactPairs ?? EXACT_PAIRS))
    return exactBestIn(base, queries, threshold);
  return withGemm(options, async (gemm) => {
    const index = await IvfIndex.build(base, gemm, options);
    return index.search(queries, threshold, false);
  });
}

async function withGemm<T>(options: PairSearchOptions, use: (gemm: Gemm) => Promise<T>): Promise<T> {
  const gemm = await Gemm.create(options.threads);
  try {
    return await use(gemm);
  } finally {
    await gemm.dispose();
  }
}

/** Rows `indices` of `vectors` as one row-major matrix. */
function pack(vectors: readonly Float32Array[], indices: ArrayLike<number>, width: number): Float32Array {
  const out = new Float32Array(indices.length * width);
  for (let r = 0; r < indices.length; r++) out.set(vectors[indices[r]!]!, r * width);
  return out;
}

function range(start: number, end: number): Int32Array {
  const out = new Int32Array(end - start);
  for (let i = 0; i < out.length; i++) out[i] = start + i;
  return out;
}

/**
 * The `probes` largest scores of each row of an n × lists matrix, best first: row r's lists are
 * out[r·probes … r·probes + probes).
 */
function topLists(scores: Float32Array, lists: number, probes: number, out: Int32Array, at: number): void {
  const rows = scores.length / lists;
  const best = new Float32Array(probes);
  const which = new Int32Array(probes);
  for (let r = 0; r < rows; r++) {
    best.fill(-Infinity);
    which.fill(-1);
    const offset = r * lists;
    for (let l = 0; l < lists; l++) {
      const s = scores[offset + l]!;
      if (s <= best[probes - 1]!) continue;
      let k = probes - 1;
      while (k > 0 && best[k - 1]! < s) {
        best[k] = best[k - 1]!;
        which[k] = which[k - 1]!;
        k--;
      }
      best[k] = s;
      which[k] = l;
    }
    out.set(which, (at + r) * probes);
  }
}

/**
 * The index proper: centroids, each base vector's list and probes. The vectors stay the caller's; a
 * list's are packed into one Gemm input only while it is searched, so the index costs
 * 4 · (width · lists + (probes + 1) · n) bytes beyond them: 4.4 MB for 100,000 vectors.
 */
export class IvfIndex {
  private constructor(
    private readonly gemm: Gemm,
    private readonly base: readonly Float32Array[],
    private readonly lists: number,
    private readonly probes: number,
    /** lists × width, unit vectors. */
    private readonly centroids: Float32Array,
    /** The base vectors' indices, grouped by list: list l is order[starts[l] … starts[l + 1]). */
    private readonly order: Int32Array,
    private readonly starts: Int32Array,
    /** The base vectors' own probes (for a self-join, where the base is also the queries). */
    private readonly baseProbes: Int32Array,
  ) {}

  /** Bytes the index holds beyond the vectors given to it. */
  get bytes(): number {
    const { centroids, order, starts, baseProbes } = this;
    return centroids.byteLength + order.byteLength + starts.byteLength + baseProbes.byteLength;
  }

  static async build(
    base: readonly Float32Array[],
    gemm: Gemm,
    options: PairSearchOptions = {},
  ): Promise<IvfIndex> {
    const n = base.length;
    const width = base[0]!.length;
    const lists = Math.max(1, Math.min(n, options.lists ?? Math.round(LISTS_PER_ROOT * Math.sqrt(n))));
    const probes = Math.min(lists, options.probes ?? DEFAULT_PROBES);
    const centroids = await kMeans(base, lists, width, gemm);
    const baseProbes = await nearestLists(base, centroids, lists, probes, gemm);
    const starts = new Int32Array(lists + 1);
    for (let i = 0; i < n; i++) starts[baseProbes[i * probes]! + 1]!++;
    for (let l = 0; l < lists; l++) starts[l + 1]! += starts[l]!;
    const order = new Int32Array(n);
    const fill = starts.slice(0, lists);
    for (let i = 0; i < n; i++) order[fill[baseProbes[i * probes]!]!++] = i;
    return new IvfIndex(gemm, base, lists, probes, centroids, order, starts, baseProbes);
  }

  /**
   * Each query's best base vector at or above `threshold`. `self`: the queries are the base, each
   * matched with earlier ones only; a score then counts for both of its vectors (the later one's match
   * is the earlier one), so a pair is found when either vector's probes reach the other's list.
   */
  async search(
    queries: readonly Float32Array[],
    threshold: number,
    self: boolean,
  ): Promise<(Match | undefined)[]> {
    const { base, lists, probes } = this;
    const width = base[0]!.length;
    const probesOf = self
      ? this.baseProbes
      : await nearestLists(queries, this.centroids, lists, probes, this.gemm);
    // Which queries probe each list (CSR).
    const qStarts = new Int32Array(lists + 1);
    for (const l of probesOf) qStarts[l + 1]!++;
    for (let l = 0; l < lists; l++) qStarts[l + 1]! += qStarts[l]!;
    const qOrder = new Int32Array(probesOf.length);
    const fill = qStarts.slice(0, lists);
    for (let i = 0; i < probesOf.length; i++) qOrder[fill[probesOf[i]!]!++] = Math.floor(i / probes);

    const bestIndex = new Int32Array(queries.length).fill(-1);
    const bestScore = new Float32Array(queries.length).fill(-Infinity);
    const floor = threshold - SLACK;
    const offer = (q: number, x: number, s: number): void => {
      if (s > bestScore[q]! || (s === bestScore[q]! && x < bestIndex[q]!)) {
        bestScore[q] = s;
        bestIndex[q] = x;
      }
    };
    for (let l = 0; l < lists; l++) {
      const [m0, m1] = [this.starts[l]!, this.starts[l + 1]!];
      const [q0, q1] = [qStarts[l]!, qStarts[l + 1]!];
      if (m0 === m1 || q0 === q1) continue;
      // Column blocks of the list's members, row blocks of its queries, each product ≤ BLOCK floats.
      const columns = Math.min(m1 - m0, BLOCK >> 6);
      const rows = Math.max(1, Math.floor(BLOCK / columns));
      for (let c0 = m0; c0 < m1; c0 += columns) {
        const c1 = Math.min(m1, c0 + columns);
        const block = pack(base, this.order.subarray(c0, c1), width);
        for (let r0 = q0; r0 < q1; r0 += rows) {
          const r1 = Math.min(q1, r0 + rows);
          const rowsHere = qOrder.subarray(r0, r1);
          const scores = await this.gemm.products(pack(queries, rowsHere, width), block, width);
          const cols = c1 - c0;
          for (let r = 0; r < rowsHere.length; r++) {
            const q = rowsHere[r]!;
            const offset = r * cols;
            for (let c = 0; c < cols; c++) {
              const s = scores[offset + c]!;
              if (s < floor) continue;
              const x = this.order[c0 + c]!;
              if (!self) offer(q, x, s);
              else if (x < q) offer(q, x, s);
              else if (x > q) offer(x, q, s);
            }
          }
        }
      }
    }
    // The exact cosine of each match, checked against the threshold as the exact search checks it.
    const out: (Match | undefined)[] = [];
    for (let q = 0; q < queries.length; q++) {
      const index = bestIndex[q]!;
      const cosine = index < 0 ? -Infinity : dot(base[index]!, queries[q]!);
      out.push(cosine >= threshold ? { index, cosine } : undefined);
    }
    return out;
  }
}

/** Each vector's `probes` nearest centroids (by dot product), best first. */
async function nearestLists(
  vectors: readonly Float32Array[],
  centroids: Float32Array,
  lists: number,
  probes: number,
  gemm: Gemm,
): Promise<Int32Array> {
  const width = centroids.length / lists;
  const out = new Int32Array(vectors.length * probes);
  const rows = Math.max(1, Math.floor(BLOCK / lists));
  for (let r0 = 0; r0 < vectors.length; r0 += rows) {
    const r1 = Math.min(vectors.length, r0 + rows);
    const scores = await gemm.products(pack(vectors, range(r0, r1), width), centroids, width);
    topLists(scores, lists, probes, out, r0);
  }
  return out;
}

/**
 * Spherical k-means on a sample of SAMPLE_PER_LIST vectors a list: centroids are the normalised means of their
 * vectors; an emptied list restarts at the sample vector its centroid fits worst.
 */
async function kMeans(
  vectors: readonly Float32Array[],
  lists: number,
  width: number,
  gemm: Gemm,
): Promise<Float32Array> {
  const next = seededRandom(0x5eed);
  const n = vectors.length;
  const sampleSize = Math.min(n, lists * SAMPLE_PER_LIST);
  // A partial Fisher–Yates shuffle: the first sampleSize indices are a uniform sample.
  const indices = range(0, n);
  for (let i = 0; i < sampleSize; i++) {
    const j = i + Math.floor(next() * (n - i));
    [indices[i], indices[j]] = [indices[j]!, indices[i]!];
  }
  const sample = pack(vectors, indices.subarray(0, sampleSize), width);
  const centroids = sample.slice(0, lists * width);
  const assigned = new Int32Array(sampleSize);
  const fit = new Float32Array(sampleSize);
  const rows = Math.max(1, Math.floor(BLOCK / lists));
  for (let iteration = 0; iteration < ITERATIONS; iteration++) {
    for (let r0 = 0; r0 < sampleSize; r0 += rows) {
      const r1 = Math.min(sampleSize, r0 + rows);
      const scores = await gemm.products(sample.subarray(r0 * width, r1 * width), centroids, width);
      for (let r = 0; r < r1 - r0; r++) {
        let [best, score] = [0, -Infinity];
        for (let l = 0; l < lists; l++) {
          const s = scores[r * lists + l]!;
          if (s > score) [best, score] = [l, s];
        }
        assigned[r0 + r] = best;
        fit[r0 + r] = score;
      }
    }
    centroids.fill(0);
    const counts = new Int32Array(lists);
    for (let i = 0; i < sampleSize; i++) {
      const l = assigned[i]!;
      counts[l]!++;
      for (let d = 0; d < width; d++) centroids[l * width + d]! += sample[i * width + d]!;
    }
    for (let l = 0; l < lists; l++) {
      const c = centroids.subarray(l * width, (l + 1) * width);
      if (counts[l] === 0) {
        let worst = 0;
        for (let i = 1; i < sampleSize; i++) if (fit[i]! < fit[worst]!) worst = i;
        fit[worst] = Infinity;
        c.set(sample.subarray(worst * width, (worst + 1) * width));
        continue;
      }
      let norm = 0;
      for (let d = 0; d < width; d++) norm += c[d]! * c[d]!;
      const scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
      for (let d = 0; d < width; d++) c[d]! *= scale;
    }
  }
  return centroids;
}
