/**
 * The worker thread that owns the embedding model: `EmbeddingWorker` (worker-client.ts) starts it with
 * the model's files in `workerData` and sends it `embed` requests, answered with vectors (whose
 * buffers are transferred, not copied) or an error, and `pass` requests (the language server's), which
 * run the whole semantic pass here behind an embedding cache and answer with its findings. One request
 * runs at a time, in arrival order; a `cancel` is read at once and stops its pass between batches.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EmbeddingCache, modelKey } from './cache.js';
import { Embedder } from './embedder.js';
import { semanticFindings } from './pass.js';
import type { WorkerData, WorkerReply, WorkerRequest } from './worker-protocol.js';

/** Texts per call to the model in a pass: a cancel is seen, and progress reported, between them. */
const BATCH = 64;

const port = parentPort;
if (!port) throw new Error('worker.ts runs as a worker thread');
const data = workerData as WorkerData;
const loading = Embedder.load(data.files, data.options);
/** One cache per directory (workspace), loaded once and kept: later passes read it from memory. */
const caches = new Map<string, EmbeddingCache>();
const cancelled = new Set<number>();

class Cancelled extends Error {}

loading.then(
  (embedder) =>
    port.postMessage({
      type: 'ready',
      provider: embedder.provider,
      notice: embedder.notice,
    } satisfies WorkerReply),
  (error: unknown) => port.postMessage({ type: 'failed', message: String(error) } satisfies WorkerReply),
);

async function runPass(request: Extract<WorkerRequest, { type: 'pass' }>): Promise<WorkerReply> {
  const embedder = await loading;
  let cache = caches.get(request.cacheDir);
  if (!cache)
    caches.set(request.cacheDir, (cache = new EmbeddingCache(request.cacheDir, modelKey(data.files))));
  const [hits, misses] = [cache.hits, cache.misses];
  const cached = cache.wrap((texts) => embedder.embed(texts));
  // Batches go through the cache one by one, so what a cancelled pass embedded is kept for the next.
  const embed = async (texts: readonly string[]): Promise<Float32Array[]> => {
    const vectors: Float32Array[] = [];
    for (let at = 0; at < texts.length; at += BATCH) {
      if (cancelled.has(request.id)) throw new Cancelled();
      const batch = texts.slice(at, at + BATCH);
      for (const vector of await cached(batch)) vectors.push(vector);
      port!.postMessage({ type: 'progress', id: request.id, embedded: batch.length } satisfies WorkerReply);
    }
    return vectors;
  };
  try {
    const findings = await semanticFindings(request.files, request.config, embed);
    return {
      type: 'findings',
      id: request.id,
      findings: [...findings],
      cached: cache.hits - hits,
      embeddedNow: cache.misses - misses,
      notice: cache.save(),
    };
  } catch (error) {
    cache.save();
    throw error;
  }
}

let queue: Promise<void> = Promise.resolve();
port.on('message', (request: WorkerRequest) => {
  if (request.type === 'cancel') {
    cancelled.add(request.id);
    return;
  }
  queue = queue.then(async () => {
    try {
      if (request.type === 'pass') {
        if (cancelled.has(request.id))
          port.postMessage({ type: 'cancelled', id: request.id } satisfies WorkerReply);
        else port.postMessage(await runPass(request));
        return;
      }
      const vectors = await (await loading).embed(request.texts);
      const reply: WorkerReply = { type: 'vectors', id: request.id, vectors };
      port.postMessage(
        reply,
        vectors.map((vector) => vector.buffer as ArrayBuffer),
      );
    } catch (error) {
      const reply: WorkerReply =
        error instanceof Cancelled
          ? { type: 'cancelled', id: request.id }
          : { type: 'error', id: request.id, message: String(error) };
      port.postMessage(reply);
    } finally {
      cancelled.delete(request.id);
    }
  });
});
