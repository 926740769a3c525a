/**
 * Embeddings off the calling thread: a worker thread (worker.ts) owns the onnxruntime session, so the
 * language server's and the CLI's lexical checks never wait for the model.
 */
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ResolvedConfig } from '../engine/config.js';
import type { Finding } from '../engine/types.js';
import type { EmbedderOptions } from './embedder.js';
import type { EmbeddingModelFiles } from './model.js';
import type { SemanticFile } from './pass.js';
import type { WorkerData, WorkerReply, WorkerRequest } from './worker-protocol.js';

type IdReply = Extract<WorkerReply, { id: number }>;

interface Pending {
  /** Every reply to the request; true when it was the last. */
  settle(reply: IdReply): boolean;
  reject(error: Error): void;
}

/** What a pass in the worker found, or that it was cancelled. */
export type WorkerPassResult =
  | {
      readonly state: 'done';
      readonly findings: Map<string, Finding[]>;
      readonly cached: number;
      readonly embedded: number;
      readonly notice: string | undefined;
    }
  | { readonly state: 'cancelled' };

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
    const request: WorkerRequest = { type: 'embed', id, texts };
    return new Promise((resolve, reject) => {
      this.pending.set(id, {
        settle: (reply) => {
          if (reply.type === 'vectors') resolve(reply.vectors);
          else reject(new Error(reply.type === 'error' ? reply.message : `unexpected ${reply.type}`));
          return true;
        },
        reject,
      });
      this.worker.postMessage(request);
    });
  }

  /**
   * The whole semantic pass in the worker, behind the embedding cache in `cacheDir` (loaded there once
   * per directory): the caller's thread only sends the examples. `cancel()` stops it before its next
   * batch of texts; `onEmbedded` hears of each batch embedded.
   */
  pass(
    files: readonly SemanticFile[],
    config: ResolvedConfig,
    cacheDir: string,
    onEmbedded?: (count: number) => void,
  ): { result: Promise<WorkerPassResult>; cancel: () => void } {
    const id = this.nextId++;
    const request: WorkerRequest = { type: 'pass', id, files, config, cacheDir };
    const result = new Promise<WorkerPassResult>((resolve, reject) => {
      this.pending.set(id, {
        settle: (reply) => {
          if (reply.type === 'progress') {
            onEmbedded?.(reply.embedded);
            return false;
          }
          if (reply.type === 'findings') {
            const { cached, embeddedNow: embedded, notice } = reply;
            resolve({ state: 'done', findings: new Map(reply.findings), cached, embedded, notice });
          } else if (reply.type === 'cancelled') resolve({ state: 'cancelled' });
          else reject(new Error(reply.type === 'error' ? reply.message : `unexpected ${reply.type}`));
          return true;
        },
        reject,
      });
      this.worker.postMessage(request);
    });
    const cancel = (): void => {
      if (this.pending.has(id)) this.worker.postMessage({ type: 'cancel', id } satisfies WorkerRequest);
    };
    return { result, cancel };
  }

  async dispose(): Promise<void> {
    await this.worker.terminate();
  }

  private settle(reply: IdReply): void {
    const pending = this.pending.get(reply.id);
    if (pending?.settle(reply)) this.pending.delete(reply.id);
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
