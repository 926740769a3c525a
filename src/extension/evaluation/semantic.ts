/**
 * The evaluation panel's semantic figures (semantic-model.ts) in the extension: finds the model (the
 * `tunesmith.semantic.modelPath` setting, else the set-up cache), starts the embedding worker only
 * when a figure is first wanted, and keeps the workspace's embedding cache in front of it. Nothing here
 * runs before the report is on screen, so the panel opens as fast without a model as with one.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import * as vscode from 'vscode';
import { EmbeddingCache, type Embed } from '../../core/semantic/cache.ts';
import {
  defaultModelDir,
  findEmbeddingModel,
  HOW_TO_GET_THE_MODEL,
  type EmbeddingModelFiles,
} from '../../core/semantic/model.ts';
import { EmbeddingWorker } from '../../core/semantic/worker-client.ts';
import type { SemanticModel } from '../../shared/evaluation-protocol.ts';
import { TrainingIndex, type Progress } from './semantic-model.ts';

/** Found, or why not (the notice the panel shows). */
type FoundModel = { ok: true; files: EmbeddingModelFiles } | { ok: false; info: string };

/** The model the setting names (relative to the first workspace folder), else the set-up script's. */
export function evaluationModel(): FoundModel {
  const setting = vscode.workspace.getConfiguration('tunesmith.semantic').get<string>('modelPath', '');
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
  const dir = setting === '' ? defaultModelDir() : isAbsolute(setting) ? setting : resolve(root, setting);
  const files = findEmbeddingModel(dir);
  if (files) return { ok: true, files };
  const named = setting === '' ? '' : ` (no model.onnx and tokenizer.json in ${dir})`;
  return {
    ok: false,
    info: HOW_TO_GET_THE_MODEL.replace(/^Semantic checks are off/, 'Semantic scores are off') + named,
  };
}

/** One panel's embeddings: a worker started on first use, the cache, and the training index built. */
export class PanelSemantics {
  private worker: EmbeddingWorker | undefined;
  private readonly cache: EmbeddingCache;
  private index: Promise<TrainingIndex> | undefined;
  readonly embed: Embed;
  readonly model: SemanticModel;

  constructor(
    readonly files: EmbeddingModelFiles,
    cacheRoot: string,
  ) {
    this.model = { name: files.manifest.name, path: files.dir };
    this.cache = EmbeddingCache.inWorkspace(cacheRoot, files);
    const cached = this.cache.wrap(async (texts) => {
      if (!this.worker) {
        this.worker = new EmbeddingWorker(files);
        await this.worker.ready;
      }
      return this.worker.embed(texts);
    });
    // Saved after each batch: a panel closed mid-way keeps what was embedded.
    this.embed = async (texts) => {
      const vectors = await cached(texts);
      this.cache.save();
      return vectors;
    };
  }

  /** The training file's index, built once per file (again when it changed), with progress. */
  trainingIndex(file: string, progress: Progress): Promise<TrainingIndex> {
    const current = this.index;
    this.index = (async () => {
      const built = await current?.catch(() => undefined);
      if (built && built.file === file && (await stat(file)).mtimeMs === built.stamp) return built;
      return TrainingIndex.build(file, this.embed, progress);
    })();
    return this.index;
  }

  dispose(): void {
    void this.worker?.dispose();
  }
}
