/**
 * Where the sentence-embedding model of the semantic rules lives and what its manifest says.
 *
 * `scripts/setup-embedding-model.sh` writes all-MiniLM-L6-v2 to `defaultModelDir()`: `model.onnx`
 * (token embeddings, `last_hidden_state`), `tokenizer.json` and `manifest.json`. Any local ONNX
 * feature-extraction model with a `tokenizer.json` can be used in its place; a directory without a
 * manifest gets all-MiniLM-L6-v2's pooling (mean, L2-normalised, 256 tokens).
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

interface EmbeddingModelManifest {
  readonly name: string;
  readonly pooling: 'mean';
  readonly normalize: boolean;
  readonly maxLength: number;
  readonly output: string;
}

export interface EmbeddingModelFiles {
  readonly dir: string;
  readonly model: string;
  readonly tokenizer: string;
  readonly manifest: EmbeddingModelManifest;
}

const DEFAULT_MANIFEST: EmbeddingModelManifest = {
  name: 'all-MiniLM-L6-v2',
  pooling: 'mean',
  normalize: true,
  maxLength: 256,
  output: 'last_hidden_state',
};

/** The directory the set-up script writes to (`$XDG_CACHE_HOME/tunesmith/embedding/all-MiniLM-L6-v2`). */
export function defaultModelDir(env: NodeJS.ProcessEnv = process.env): string {
  const cache = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'tunesmith', 'embedding', 'all-MiniLM-L6-v2');
}

/**
 * The model's files in `dir`, or `undefined` when it has no `model.onnx` + `tokenizer.json` (the
 * semantic rules are then off). `modelFile` picks another ONNX file in the directory (the test compares
 * `model-fp32.onnx` with transformers).
 */
export function findEmbeddingModel(dir: string, modelFile = 'model.onnx'): EmbeddingModelFiles | undefined {
  const model = join(dir, modelFile);
  const tokenizer = join(dir, 'tokenizer.json');
  if (!existsSync(model) || !existsSync(tokenizer)) return undefined;
  const manifestPath = join(dir, 'manifest.json');
  const manifest = existsSync(manifestPath) ? readManifest(manifestPath) : DEFAULT_MANIFEST;
  return { dir, model, tokenizer, manifest };
}

function readManifest(path: string): EmbeddingModelManifest {
  const raw: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const value = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  return {
    name: typeof value.name === 'string' ? value.name : DEFAULT_MANIFEST.name,
    pooling: 'mean',
    normalize: value.normalize !== false,
    maxLength:
      typeof value.maxLength === 'number' && Number.isInteger(value.maxLength) && value.maxLength > 2
        ? value.maxLength
        : DEFAULT_MANIFEST.maxLength,
    output: typeof value.output === 'string' ? value.output : DEFAULT_MANIFEST.output,
  };
}

/** How to get the model, for the info shown while the semantic rules are off. */
export const HOW_TO_GET_THE_MODEL =
  'Semantic checks are off: no embedding model. Run "Tunesmith: Get the Embedding Model" ' +
  '(or scripts/setup-embedding-model.sh), or point tunesmith.semantic.modelPath at a local ONNX embedding model.';
