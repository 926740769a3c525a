/**
 * The evaluation panel's semantic figures, without `vscode` (so the real model runs under node:test):
 * cosine(output, reference) per example and its corpus mean, and the training examples whose prompts
 * are nearest a held-out example's. Embeddings come from src/core/semantic (the worker thread and the
 * on-disk cache by content hash), so a training file is embedded once per model, not once per panel.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { resolveConfig } from '../../core/engine/config.ts';
import { LinePass } from '../../core/engine/linter.ts';
import { splitBuffer } from '../../core/engine/reader.ts';
import { ALL_CHECKERS } from '../../core/rules/index.ts';
import type { Embed } from '../../core/semantic/cache.ts';
import { semanticExample } from '../../core/semantic/examples.ts';
import type { Neighbour } from '../../shared/evaluation-protocol.ts';
import type { EvaluationExample, EvaluationReport } from '../../shared/evaluation-report.ts';
import { runFiles } from '../runs/run.ts';
import { EVALUATIONS_DIR, sourcePath } from './reports.ts';

/** Texts sent to the worker at a time: small enough for progress to move, large enough to batch. */
const BATCH = 64;
/** Lines longer than this are not embedded (the model reads 256 tokens of them anyway). */
const MAX_LINE = 1 << 20;

export type Progress = (done: number, total: number) => void;

/** Dot product of unit vectors, clamped: float rounding can land a hair above 1. */
function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return Math.max(-1, Math.min(1, dot));
}

/** `embed` in batches, reporting after each. */
async function embedAll(
  embed: Embed,
  texts: readonly string[],
  progress?: Progress,
): Promise<Float32Array[]> {
  const vectors: Float32Array[] = [];
  progress?.(0, texts.length);
  for (let start = 0; start < texts.length; start += BATCH) {
    for (const vector of await embed(texts.slice(start, start + BATCH))) vectors.push(vector);
    progress?.(vectors.length, texts.length);
  }
  return vectors;
}

interface Similarities {
  mean: { base?: number; tuned: number };
  index: number[];
  base?: number[];
  tuned: number[];
}

const mean = (values: readonly number[]): number =>
  values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;

/** cosine(output, reference) for each example and system; an example that failed is left out. */
export async function outputSimilarities(
  report: EvaluationReport,
  embed: Embed,
  progress?: Progress,
): Promise<Similarities> {
  const examples = report.examples.filter((example) => example.error === undefined);
  const hasBase = report.systems.base !== undefined;
  const texts: string[] = [];
  for (const example of examples) {
    texts.push(example.reference, example.outputs.tuned ?? '');
    if (hasBase) texts.push(example.outputs.base ?? '');
  }
  const vectors = await embedAll(embed, texts, progress);
  const stride = hasBase ? 3 : 2;
  const tuned = examples.map((_, i) => cosine(vectors[i * stride]!, vectors[i * stride + 1]!));
  const base = hasBase ? examples.map((_, i) => cosine(vectors[i * 3]!, vectors[i * 3 + 2]!)) : undefined;
  return {
    mean: base ? { base: mean(base), tuned: mean(tuned) } : { tuned: mean(tuned) },
    index: examples.map((example) => example.index),
    ...(base ? { base } : {}),
    tuned,
  };
}

/**
 * What an evaluated example was asked, as the semantic rules see a training line's prompt: its turns
 * but system ones, joined by newlines (src/core/semantic/examples.ts), else the rendered prompt.
 */
export function askedPrompt(example: EvaluationExample): string {
  const turns = (example.messages ?? []).filter((turn) => turn.role !== 'system');
  return turns.length > 0
    ? turns
        .map((turn) => turn.content)
        .join('\n')
        .trim()
    : example.prompt;
}

interface TrainingPrompt {
  /** 1-based. */
  line: number;
  prompt: string;
}

/** The prompt of every training line that has one, read as the linter reads the file (any format). */
async function readTrainingPrompts(path: string): Promise<TrainingPrompt[]> {
  const lines = splitBuffer(await readFile(path), { maxLineLength: MAX_LINE });
  const pass = new LinePass(resolveConfig(undefined).config, ALL_CHECKERS);
  const prompts: TrainingPrompt[] = [];
  for (const line of lines) {
    if (line.truncatedLength !== undefined) continue;
    const example = semanticExample(pass.context(line));
    if (example) prompts.push({ line: example.line + 1, prompt: example.prompt });
  }
  return prompts;
}

/** A training file's prompts and their vectors, built once and searched for each regressed example. */
export class TrainingIndex {
  private constructor(
    readonly file: string,
    /** The file's modification time when read: a changed file is read again. */
    readonly stamp: number,
    private readonly prompts: TrainingPrompt[],
    private readonly vectors: Float32Array[],
  ) {}

  static async build(file: string, embed: Embed, progress?: Progress): Promise<TrainingIndex> {
    const stamp = (await stat(file)).mtimeMs;
    const prompts = await readTrainingPrompts(file);
    const vectors = await embedAll(
      embed,
      prompts.map((prompt) => prompt.prompt),
      progress,
    );
    return new TrainingIndex(file, stamp, prompts, vectors);
  }

  get size(): number {
    return this.prompts.length;
  }

  /** The `k` training prompts most similar to `query` (exact search: one pass, a few thousand dot products). */
  nearest(query: Float32Array, k: number): Neighbour[] {
    const best: { i: number; similarity: number }[] = [];
    this.vectors.forEach((vector, i) => {
      const similarity = cosine(query, vector);
      if (best.length === k && similarity <= best[k - 1]!.similarity) return;
      best.push({ i, similarity });
      best.sort((a, b) => b.similarity - a.similarity);
      if (best.length > k) best.pop();
    });
    return best.map(({ i, similarity }) => ({ ...this.prompts[i]!, similarity }));
  }
}

/**
 * The training file of the run the report belongs to: `data.train` of `<run>/config.json`, relative
 * to the config's folder as the trainer reads it (which rewrites it resolved once the run starts).
 */
export async function runTrainingFile(
  reportPath: string,
  report: EvaluationReport,
): Promise<string | undefined> {
  // A report without its run named, in a run's evaluations/ folder, is that run's.
  const runDir = report.run
    ? sourcePath(reportPath, report.run.dir)
    : basename(dirname(reportPath)) === EVALUATIONS_DIR
      ? dirname(dirname(reportPath))
      : undefined;
  if (runDir === undefined) return undefined;
  let config: unknown;
  try {
    config = JSON.parse(await readFile(runFiles(runDir).config, 'utf8'));
  } catch {
    return undefined;
  }
  const data =
    typeof config === 'object' && config !== null ? (config as { data?: unknown }).data : undefined;
  const train = typeof data === 'object' && data !== null ? (data as { train?: unknown }).train : undefined;
  if (typeof train !== 'string' || train === '') return undefined;
  return isAbsolute(train) ? train : resolve(runDir, train);
}
