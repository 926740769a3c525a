/** The messages between `EmbeddingWorker` and its worker thread (worker.ts). */
import type { EmbedderOptions } from './embedder.js';
import type { EmbeddingModelFiles } from './model.js';

export interface WorkerData {
  readonly files: EmbeddingModelFiles;
  readonly options: EmbedderOptions;
}

export interface WorkerRequest {
  readonly id: number;
  readonly texts: readonly string[];
}

export type WorkerReply =
  | { readonly type: 'ready'; readonly provider: 'cpu' | 'cuda'; readonly notice: string | undefined }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'vectors'; readonly id: number; readonly vectors: Float32Array[] }
  | { readonly type: 'error'; readonly id: number; readonly message: string };
