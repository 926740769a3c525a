/**
 * Sentence embeddings with onnxruntime-node and @huggingface/tokenizers, pooled as sentence-transformers
 * defines all-MiniLM-L6-v2 (modules.json: Transformer, mean Pooling, Normalize): the mean of the token
 * embeddings weighted by the attention mask, then L2 normalisation.
 *
 * This class runs on the thread that calls it; `EmbeddingWorker` (worker-client.ts) runs it in a worker
 * thread so that a language server or CLI never blocks on it.
 */
import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
import * as ort from 'onnxruntime-node';
import type { EmbeddingModelFiles } from './model.js';

export interface EmbedderOptions {
  /** Threads onnxruntime uses inside one run (intra-op). */
  readonly threads?: number;
  /** Try the CUDA execution provider first; CPU when it fails to load. */
  readonly cuda?: boolean;
  /** Sequences per run; texts are sorted by length first, so padding stays small. */
  readonly batchSize?: number;
}

export class Embedder {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly tokenizer: Tokenizer,
    private readonly files: EmbeddingModelFiles,
    private readonly batchSize: number,
    /** Which execution provider runs the model, and why CUDA does not when it was asked for. */
    readonly provider: 'cpu' | 'cuda',
    readonly notice: string | undefined,
  ) {}

  static async load(files: EmbeddingModelFiles, options: EmbedderOptions = {}): Promise<Embedder> {
    const tokenizer = new Tokenizer(JSON.parse(readFileSync(files.tokenizer, 'utf8')) as object, {});
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: options.threads ?? 2,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    };
    let notice: string | undefined;
    if (options.cuda) {
      try {
        const session = await ort.InferenceSession.create(files.model, {
          ...sessionOptions,
          executionProviders: ['cuda', 'cpu'],
        });
        return new Embedder(session, tokenizer, files, options.batchSize ?? 32, 'cuda', undefined);
      } catch (error) {
        // onnxruntime-node throws when the CUDA libraries are missing (no automatic CPU fallback).
        notice = `CUDA execution provider unavailable, embedding on the CPU: ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    const session = await ort.InferenceSession.create(files.model, {
      ...sessionOptions,
      executionProviders: ['cpu'],
    });
    return new Embedder(session, tokenizer, files, options.batchSize ?? 32, 'cpu', notice);
  }

  /** Token ids with [CLS]/[SEP], truncated to the model's length as transformers truncates one sequence. */
  tokenize(text: string): { ids: number[]; typeIds: number[] } {
    const encoding = this.tokenizer.encode(text, { return_token_type_ids: true });
    const max = this.files.manifest.maxLength;
    let ids = encoding.ids;
    let typeIds = encoding.token_type_ids;
    if (ids.length > max) {
      // Keep the closing special token: what "LongestFirst" truncation with special tokens yields.
      ids = [...ids.slice(0, max - 1), ids[ids.length - 1]!];
      typeIds = [...typeIds.slice(0, max - 1), typeIds[typeIds.length - 1]!];
    }
    return { ids, typeIds };
  }

  /** One unit vector per text, in the order given. */
  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const tokenized = texts.map((text) => this.tokenize(text));
    const order = tokenized
      .map((_, index) => index)
      .sort((a, b) => tokenized[a]!.ids.length - tokenized[b]!.ids.length);
    const result = new Array<Float32Array>(texts.length);
    for (let start = 0; start < order.length; start += this.batchSize) {
      const batch = order.slice(start, start + this.batchSize);
      const vectors = await this.run(batch.map((index) => tokenized[index]!));
      batch.forEach((index, i) => (result[index] = vectors[i]!));
    }
    return result;
  }

  private async run(batch: readonly { ids: number[]; typeIds: number[] }[]): Promise<Float32Array[]> {
    const rows = batch.length;
    let length = 0;
    for (const item of batch) length = Math.max(length, item.ids.length);
    const ids = new BigInt64Array(rows * length);
    const mask = new BigInt64Array(rows * length);
    const types = new BigInt64Array(rows * length);
    batch.forEach((item, row) => {
      for (let t = 0; t < item.ids.length; t++) {
        ids[row * length + t] = BigInt(item.ids[t]!);
        mask[row * length + t] = 1n;
        types[row * length + t] = BigInt(item.typeIds[t] ?? 0);
      }
    });
    const dims = [rows, length];
    const feeds: Record<string, ort.Tensor> = {};
    const available: Record<string, BigInt64Array> = {
      input_ids: ids,
      attention_mask: mask,
      token_type_ids: types,
    };
    for (const name of this.session.inputNames) {
      const data = available[name];
      if (!data)
        throw new Error(`embedding model input "${name}" is not one of ${Object.keys(available).join(', ')}`);
      feeds[name] = new ort.Tensor('int64', data, dims);
    }
    const output = (await this.session.run(feeds))[this.files.manifest.output];
    if (!output) throw new Error(`embedding model has no output "${this.files.manifest.output}"`);
    const hidden = output.data as Float32Array;
    const width = output.dims[2]!;
    return batch.map((item, row) =>
      pool(hidden, row, length, width, item.ids.length, this.files.manifest.normalize),
    );
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/** Mean of the first `tokens` token vectors of `row` (padding is always at the end), L2-normalised. */
function pool(
  hidden: Float32Array,
  row: number,
  length: number,
  width: number,
  tokens: number,
  normalize: boolean,
): Float32Array {
  const vector = new Float32Array(width);
  const base = row * length * width;
  for (let t = 0; t < tokens; t++) {
    const offset = base + t * width;
    for (let d = 0; d < width; d++) vector[d]! += hidden[offset + d]!;
  }
  let norm = 0;
  for (let d = 0; d < width; d++) {
    vector[d]! /= tokens;
    norm += vector[d]! * vector[d]!;
  }
  if (normalize) {
    const scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
    for (let d = 0; d < width; d++) vector[d]! *= scale;
  }
  return vector;
}

export { dot } from './vectors.js';
