/**
 * The pair search against comparing every pair: the IVF index (forced with `exactPairs: 0`) finds at
 * least 99% of the pairs the rules would report on clustered vectors (test/clustered-vectors.ts), with
 * the same match and cosine; the Gemm equals `dot`. rules.test.ts checks the findings on the real
 * model's embeddings of the paraphrase set.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dot } from '../../../src/core/semantic/embedder.ts';
import { Gemm } from '../../../src/core/semantic/gemm.ts';
import {
  bestEarlier,
  bestIn,
  exactBestEarlier,
  exactBestIn,
  type Match,
} from '../../../src/core/semantic/pair-index.ts';
import { clusteredVectors } from '../../clustered-vectors.ts';

const THRESHOLD = 0.82;

/** Share of the exact search's matches the index found identically (same vector, same cosine). */
function recall(exact: readonly (Match | undefined)[], got: readonly (Match | undefined)[]): number {
  let [total, same] = [0, 0];
  exact.forEach((want, i) => {
    if (!want) return;
    total++;
    if (got[i]?.index === want.index && got[i]?.cosine === want.cosine) same++;
  });
  assert.ok(total > 100, `only ${total} pairs above the threshold: the data tests nothing`);
  return same / total;
}

describe('pair index', () => {
  it('Gemm: A × Bᵀ equals the dot products', async () => {
    const [a, b] = [clusteredVectors(5, { seed: 2 }), clusteredVectors(3, { seed: 4 })];
    const gemm = await Gemm.create(1);
    try {
      const width = a[0]!.length;
      const pack = (vs: Float32Array[]) => {
        const out = new Float32Array(vs.length * width);
        vs.forEach((v, i) => out.set(v, i * width));
        return out;
      };
      const products = await gemm.products(pack(a), pack(b), width);
      assert.equal(products.length, 15);
      a.forEach((x, i) => b.forEach((y, j) => assert.ok(Math.abs(products[i * 3 + j]! - dot(x, y)) < 1e-5)));
    } finally {
      await gemm.dispose();
    }
  });

  it('each vector against the earlier ones: ≥ 99% of the exact matches, nothing the exact search lacks', async () => {
    const vectors = clusteredVectors(2500, { seed: 11 });
    const exact = exactBestEarlier(vectors, THRESHOLD);
    const indexed = await bestEarlier(vectors, THRESHOLD, { exactPairs: 0 });
    const r = recall(exact, indexed);
    assert.ok(r >= 0.99, `recall ${r}`);
    // Every match the index reports is a real one: at or above the threshold, and earlier.
    indexed.forEach((m, i) => m && assert.ok(m.index < i && m.cosine >= THRESHOLD && exact[i] !== undefined));
    // One probe (the vector's own list) misses pairs across lists, so the test can tell.
    assert.ok(recall(exact, await bestEarlier(vectors, THRESHOLD, { exactPairs: 0, probes: 1 })) < 0.99);
  });

  it('validation against training vectors: ≥ 99% of the exact matches', async () => {
    const vectors = clusteredVectors(3000, { seed: 12, duplicates: 0.3 });
    const [train, validation] = [vectors.slice(0, 2000), vectors.slice(2000)];
    const exact = exactBestIn(train, validation, THRESHOLD);
    const r = recall(exact, await bestIn(train, validation, THRESHOLD, { exactPairs: 0 }));
    assert.ok(r >= 0.99, `recall ${r}`);
  });

  it('compares every pair below exactPairs, and handles no vectors and one list', async () => {
    const vectors = clusteredVectors(300, { seed: 13 });
    assert.deepEqual(await bestEarlier(vectors, THRESHOLD), exactBestEarlier(vectors, THRESHOLD));
    assert.deepEqual(await bestEarlier([], THRESHOLD, { exactPairs: 0 }), []);
    assert.deepEqual(
      await bestIn([], vectors, THRESHOLD, { exactPairs: 0 }),
      vectors.map(() => undefined),
    );
    assert.deepEqual(
      await bestEarlier(vectors, THRESHOLD, { exactPairs: 0, lists: 1 }),
      exactBestEarlier(vectors, THRESHOLD),
    );
  });
});
