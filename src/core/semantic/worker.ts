/**
 * The worker thread that owns the embedding model: `EmbeddingWorker` (worker-client.ts) starts it with
 * the model's files in `workerData` and sends it `embed` requests; it answers each with vectors (whose
 * buffers are transferred, not copied) or an error. One request runs at a time, in arrival order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Embedder } from './embedder.js';
import type { WorkerData, WorkerReply, WorkerRequest } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('worker.ts runs as a worker thread');
const data = workerData as WorkerData;
const loading = Embedder.load(data.files, data.options);

loading.then(
  (embedder) =>
    port.postMessage({
      type: 'ready',
      provider: embedder.provider,
      notice: embedder.notice,
    } satisfies WorkerReply),
  (error: unknown) => port.postMessage({ type: 'failed', message: String(error) } satisfies WorkerReply),
);

let queue: Promise<void> = Promise.resolve();
port.on('message', (request: WorkerRequest) => {
  queue = queue.then(async () => {
    try {
      const vectors = await (await loading).embed(request.texts);
      const reply: WorkerReply = { type: 'vectors', id: request.id, vectors };
      port.postMessage(
        reply,
        vectors.map((vector) => vector.buffer as ArrayBuffer),
      );
    } catch (error) {
      port.postMessage({ type: 'error', id: request.id, message: String(error) } satisfies WorkerReply);
    }
  });
});
