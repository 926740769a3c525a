/**
 * The semantic pass for the CLI: finds the model, starts the embedding worker, puts the workspace's
 * cache in front of it, and runs `semanticFindings`. Without a model the rules are off and `off` says
 * how to turn them on. (The language server runs the pass per document in the worker itself:
 * src/server/lsp/semantic.ts, with `semanticModel` and `modelOffInfo` from here.)
 */
import { isAbsolute, resolve } from 'node:path';
import type { ResolvedConfig } from '../engine/config.ts';
import type { Finding } from '../engine/types.ts';
import { EmbeddingCache } from './cache.ts';
import {
  defaultModelDir,
  findEmbeddingModel,
  HOW_TO_GET_THE_MODEL,
  type EmbeddingModelFiles,
} from './model.ts';
import { comparedExamples, semanticFindings, semanticRulesOn, type SemanticFile } from './pass.ts';
import { EmbeddingWorker } from './worker-client.ts';

type SemanticRun =
  | { readonly state: 'disabled' }
  | { readonly state: 'off'; readonly info: string }
  /**
   * Too many examples, the model would not load or the worker died: the lexical findings stand, the
   * semantic ones are missing.
   */
  | { readonly state: 'failed'; readonly message: string }
  | {
      readonly state: 'ran';
      readonly findings: Map<string, Finding[]>;
      /** Texts taken from the cache, and embedded now. */
      readonly cached: number;
      readonly embedded: number;
      readonly notices: string[];
    };

/** The model `semantic.modelPath` names (relative to `root`), else the set-up script's. */
export function semanticModel(config: ResolvedConfig, root: string): EmbeddingModelFiles | undefined {
  const path = config.semantic.modelPath;
  const dir = path === '' ? defaultModelDir() : isAbsolute(path) ? path : resolve(root, path);
  return findEmbeddingModel(dir);
}

/** What the info says while no model is found: how to get one, and which directory was looked in. */
export function modelOffInfo(config: ResolvedConfig): string {
  const named =
    config.semantic.modelPath === ''
      ? ''
      : ` (no model.onnx and tokenizer.json in ${config.semantic.modelPath})`;
  return HOW_TO_GET_THE_MODEL + named;
}

/**
 * `root`: the workspace, whose `.tunesmith/embeddings/` holds the cache. `files` may be a function,
 * called only once a model is found (reading the examples again is a second parse of every line),
 * that may stop reading once the files hold more than `maxPrompts` distinct prompts (undefined).
 */
export async function runSemanticPass(
  filesOrRead: readonly SemanticFile[] | ((maxPrompts: number) => readonly SemanticFile[] | undefined),
  config: ResolvedConfig,
  root: string,
): Promise<SemanticRun> {
  if (!semanticRulesOn(config)) return { state: 'disabled' };
  const model = semanticModel(config, root);
  if (!model) return { state: 'off', info: modelOffInfo(config) };
  const max = config.semantic.maxExamples;
  const files = typeof filesOrRead === 'function' ? filesOrRead(max) : filesOrRead;
  if (!files || comparedExamples(files) > max) {
    return {
      state: 'failed',
      message: `semantic rules skipped: more than semantic.maxExamples (${max}) distinct prompts`,
    };
  }
  const cache = EmbeddingCache.inWorkspace(root, model);
  let worker: EmbeddingWorker | undefined;
  const notices: string[] = [];
  const embed = cache.wrap(async (texts) => {
    if (!worker) {
      worker = new EmbeddingWorker(model);
      const { notice } = await worker.ready;
      if (notice) notices.push(notice);
    }
    return worker.embed(texts);
  });
  try {
    const findings = await semanticFindings(files, config, embed);
    const problem = cache.save();
    if (problem) notices.push(problem);
    return { state: 'ran', findings, cached: cache.hits, embedded: cache.misses, notices };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { state: 'failed', message: `semantic rules skipped: ${message}` };
  } finally {
    await worker?.dispose();
  }
}
