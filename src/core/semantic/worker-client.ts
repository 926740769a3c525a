/**
 * Embeddings off the calling thread: a worker thread (worker.ts) owns the onnxruntime session, so the
 * language server's and the CLI's lexical checks never wait for the model.
 */
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EmbedderOptions } from './embedder.js';
import type { EmbeddingModelFiles } from './model.js';
import type { WorkerData, WorkerReply, WorkerRequest } from './worker-protocol.js';

interface Pending {
  resolve(vectors: Float32Array[]): void;
  reject(error: Error): void;
}

/**
 * The worker's script: the bundle's `semantic-worker.cjs` beside the bundle that imported this module
 * (whose `import.meta` is empty: esbuild's CommonJS output), else `worker.ts` beside this file (tsx).
 */
function workerScript(): URL {
  if (typeof __filename === 'string' && __filename.endsWith('.cjs'))
    return pathToFileURL(join(dirname(__filename), 'semantic-worker.cjs'));
  return new URL('./worker.ts', import.meta.url);
}

export class EmbeddingWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  /** Resolves when the model is loaded; says which execution provider runs it and any fallback notice. */
  readonly ready: Promise<{ provider: 'cpu' | 'cuda'; notice: string | undefined }>;

  constructor(files: EmbeddingModelFiles, options: EmbedderOptions = {}) {
    const workerData: WorkerData = { files, options };
    const script = workerScript();
    // From source the worker registers tsx's loader itself: Node 20 does not hand an --import loader
    // down to worker threads.
    this.worker = script.pathname.endsWith('.ts')
      ? new Worker(
          `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(script.href)}); })`,
          { eval: true, workerData },
        )
      : new Worker(script, { workerData });
    this.ready = new Promise((resolve, reject) => {
      this.worker.on('message', (reply: WorkerReply) => {
        if (reply.type === 'ready') resolve({ provider: reply.provider, notice: reply.notice });
        else if (reply.type === 'failed') reject(new Error(`embedding model did not load: ${reply.message}`));
        else this.settle(reply);
      });
      this.worker.on('error', (error) => {
        reject(error);
        this.failAll(error);
      });
      this.worker.on('exit', (code) => this.failAll(new Error(`embedding worker exited (${code})`)));
    });
    // A load failure is reported through `ready` and every pending request; never unhandled.
    this.ready.catch(() => undefined);
  }

  /** One unit vector per text, in the order given. */
  embed(texts: readonly string[]): Promise<Float32Array[]> {
    const id = this.nextId++;
    const request: WorkerRequest = { id, texts };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage(request);
    });
  }

  async dispose(): Promise<void> {
    await this.worker.terminate();
  }

  private settle(reply: Extract<WorkerReply, { id: number }>): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (reply.type === 'vectors') pending.resolve(reply.vectors);
    else pending.reject(new Error(reply.message));
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
