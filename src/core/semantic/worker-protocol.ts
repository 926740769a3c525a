/** The messages between `EmbeddingWorker` and its worker thread (worker.ts). */
import type { ResolvedConfig } from '../engine/config.js';
import type { Finding } from '../engine/types.js';
import type { EmbedderOptions } from './embedder.js';
import type { EmbeddingModelFiles } from './model.js';
import type { SemanticFile } from './pass.js';

export interface WorkerData {
  readonly files: EmbeddingModelFiles;
  readonly options: EmbedderOptions;
}

export type WorkerRequest =
  /** Embeds the texts. */
  | { readonly type: 'embed'; readonly id: number; readonly texts: readonly string[] }
  /**
   * Runs the whole semantic pass in the worker, behind the embedding cache in `cacheDir`: the
   * comparisons, quadratic in the examples, then never hold up the caller's thread (the language
   * server's lexical diagnostics).
   */
  | {
      readonly type: 'pass';
      readonly id: number;
      readonly files: readonly SemanticFile[];
      readonly config: ResolvedConfig;
      readonly cacheDir: string;
    }
  /** The pass `id` is no longer wanted: it stops before its next batch of texts. */
  | { readonly type: 'cancel'; readonly id: number };

export type WorkerReply =
  | { readonly type: 'ready'; readonly provider: 'cpu' | 'cuda'; readonly notice: string | undefined }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'vectors'; readonly id: number; readonly vectors: Float32Array[] }
  /** A pass has `embedded` more texts' vectors (from the cache or the model). */
  | { readonly type: 'progress'; readonly id: number; readonly embedded: number }
  | {
      readonly type: 'findings';
      readonly id: number;
      readonly findings: [string, Finding[]][];
      /** Texts from the cache, and embedded now; a cache that could not be written. */
      readonly cached: number;
      readonly embeddedNow: number;
      readonly notice: string | undefined;
    }
  | { readonly type: 'cancelled'; readonly id: number }
  | { readonly type: 'error'; readonly id: number; readonly message: string };
