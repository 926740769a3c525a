/**
 * Checks a base-model folder in Hugging Face layout without Python: config.json, the weights and the
 * tokenizer, each missing piece named in plain words. The parameter count is summed from tensor
 * shapes in the safetensors headers (8-byte little-endian length, then JSON); the weights are never read.
 * No `vscode` here, so it runs under node:test.
 */
import { open, readFile, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ModelInfo } from '../../shared/new-run-protocol.ts';

/** A header larger than this is not a safetensors header (the format caps it at 100 MB). */
const MAX_HEADER = 100 * 1024 * 1024;
const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer.model', 'vocab.json', 'vocab.txt', 'spiece.model'];
const NEVER_WALK = new Set(['node_modules', '.git', '.tunesmith', '.venv', 'venv', '__pycache__']);

/** Parameters in one safetensors file, from its header alone. */
async function safetensorsParameters(path: string): Promise<number> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const prefix = Buffer.alloc(8);
    if ((await file.read(prefix, 0, 8, 0)).bytesRead < 8) throw new Error('it is shorter than its header');
    const length = Number(prefix.readBigUInt64LE(0));
    if (length > MAX_HEADER || 8 + length > size) throw new Error('its header is cut off (truncated file?)');
    const header = Buffer.alloc(length);
    await file.read(header, 0, length, 8);
    const tensors = JSON.parse(header.toString('utf8')) as Record<string, { shape?: number[] }>;
    let total = 0;
    for (const [name, tensor] of Object.entries(tensors))
      if (name !== '__metadata__') total += (tensor.shape ?? []).reduce((a, b) => a * b, 1);
    return total;
  } catch (error) {
    if (error instanceof SyntaxError) throw new Error('its header is not valid JSON', { cause: error });
    throw error;
  } finally {
    await file.close();
  }
}

const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/** Everything about a model folder the form shows; `problems` is empty when the trainer can load it. */
export async function checkModelFolder(dir: string): Promise<ModelInfo> {
  const info: ModelInfo = { path: dir, name: basename(dir), problems: [], sizeBytes: 0 };
  let files: string[];
  try {
    files = await readdir(dir);
  } catch {
    info.problems.push('The folder cannot be read.');
    return info;
  }
  for (const file of files) info.sizeBytes += (await stat(join(dir, file)).catch(() => undefined))?.size ?? 0;

  if (!files.includes('config.json'))
    info.problems.push('No config.json: this is not a Hugging Face model folder.');
  else {
    try {
      const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
      const architectures = Array.isArray(config['architectures']) ? config['architectures'] : [];
      info.architecture = String(architectures[0] ?? config['model_type'] ?? 'unknown');
      if (typeof config['model_type'] === 'string') info.modelType = config['model_type'];
      info.hiddenSize = num(config['hidden_size']) ?? num(config['n_embd']) ?? num(config['d_model']);
      info.layers = num(config['num_hidden_layers']) ?? num(config['n_layer']);
      info.contextLength = num(config['max_position_embeddings']) ?? num(config['n_positions']);
    } catch {
      info.problems.push('config.json is not valid JSON.');
    }
  }

  const index = files.find((file) => file === 'model.safetensors.index.json');
  let shards = files.filter((file) => file.endsWith('.safetensors'));
  if (index) {
    try {
      const map = (JSON.parse(await readFile(join(dir, index), 'utf8')) as { weight_map?: object })
        .weight_map;
      shards = [...new Set(Object.values(map ?? {}).map(String))];
      const missing = shards.filter((shard) => !files.includes(shard));
      if (missing.length > 0) info.problems.push(`Weight shards are missing: ${missing.join(', ')}.`);
      shards = shards.filter((shard) => files.includes(shard));
    } catch {
      info.problems.push(`${index} is not valid JSON.`);
    }
  }
  if (shards.length > 0) {
    info.weights = shards.length === 1 ? shards[0]! : `${shards.length} safetensors shards`;
    let total = 0;
    for (const shard of shards) {
      try {
        total += await safetensorsParameters(join(dir, shard));
      } catch (error) {
        info.problems.push(`The weights file ${shard} is damaged: ${(error as Error).message}.`);
        total = NaN;
      }
    }
    if (Number.isFinite(total)) info.parameters = total;
  } else {
    const bins = files.filter((file) => /^pytorch_model.*\.bin$/.test(file));
    if (bins.length > 0) info.weights = bins.length === 1 ? bins[0]! : `${bins.length} PyTorch shards`;
    else info.problems.push('No weights: expected model.safetensors (or shards), or pytorch_model.bin.');
  }

  if (!TOKENIZER_FILES.some((file) => files.includes(file)))
    info.problems.push('No tokenizer: expected tokenizer.json, tokenizer.model or vocabulary files.');
  return info;
}

/** Folders under `root` (a few levels deep) that hold a config.json and weights: candidate base models. */
export async function findModelFolders(root: string, depth = 4): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, level: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    const names = entries.map((entry) => entry.name);
    const weights = names.some(
      (name) => name.endsWith('.safetensors') || /^pytorch_model.*\.bin$/.test(name),
    );
    if (names.includes('config.json') && weights) found.push(dir);
    if (level >= depth) return;
    for (const entry of entries)
      if (entry.isDirectory() && !NEVER_WALK.has(entry.name) && !entry.name.startsWith('.'))
        await walk(join(dir, entry.name), level + 1);
  };
  await walk(root, 0);
  return found.sort();
}
