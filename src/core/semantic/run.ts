/**
 * The semantic pass for a surface (the CLI; the language server later): finds the model, starts the
 * embedding worker, puts the workspace's cache in front of it, and runs `semanticFindings`. Without a
 * model the rules are off and `off` says how to turn them on.
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
function semanticModel(config: ResolvedConfig, root: string): EmbeddingModelFiles | undefined {
  const path = config.semantic.modelPath;
  const dir = path === '' ? defaultModelDir() : isAbsolute(path) ? path : resolve(root, path);
  return findEmbeddingModel(dir);
}

/** `root`: the workspace, whose `.tunesmith/embeddings/` holds the cache. */
export async function runSemanticPass(
  files: readonly SemanticFile[],
  config: ResolvedConfig,
  root: string,
): Promise<SemanticRun> {
  if (!semanticRulesOn(config)) return { state: 'disabled' };
  const model = semanticModel(config, root);
  if (!model) {
    const named =
      config.semantic.modelPath === ''
        ? ''
        : ` (no model.onnx and tokenizer.json in ${config.semantic.modelPath})`;
    return { state: 'off', info: HOW_TO_GET_THE_MODEL + named };
  }
  const compared = comparedExamples(files);
  if (compared > config.semantic.maxExamples) {
    return {
      state: 'failed',
      message: `semantic rules skipped: ${compared} distinct prompts, more than semantic.maxExamples (${config.semantic.maxExamples})`,
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
