/**
 * Embeddings on disk by content hash, so a second lint embeds only the texts that changed: one file per
 * model in the workspace's `.tunesmith/embeddings/` (git-ignored by a `.gitignore` written beside it),
 * records of [16 bytes of the text's SHA-256][dimensions x float32], appended as new texts are embedded.
 * A torn last record (a lint killed mid-write) is ignored; a file of another model never matches,
 * because the model's identity (its name, size and modification time) names the file.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmbeddingModelFiles } from './model.ts';

const KEY_BYTES = 16;

export type Embed = (texts: readonly string[]) => Promise<Float32Array[]>;

function textKey(text: string): string {
  return createHash('sha256').update(text).digest().subarray(0, KEY_BYTES).toString('hex');
}

/** The cache file's name for a model: a change of the model's file makes a new cache. */
function modelKey(files: EmbeddingModelFiles): string {
  const stat = statSync(files.model);
  const identity = `${files.manifest.name}\0${files.manifest.maxLength}\0${stat.size}\0${stat.mtimeMs}`;
  return createHash('sha256').update(identity).digest('hex').slice(0, 16);
}

export class EmbeddingCache {
  private readonly vectors = new Map<string, Float32Array>();
  private readonly file: string;
  private dimensions: number | undefined;
  /** Texts embedded and not yet on disk. */
  private readonly fresh: [string, Float32Array][] = [];
  hits = 0;
  misses = 0;

  constructor(
    private readonly dir: string,
    key: string,
  ) {
    this.file = join(dir, `${key}.bin`);
    this.load();
  }

  /** The workspace's cache: `<root>/.tunesmith/embeddings`. */
  static inWorkspace(root: string, files: EmbeddingModelFiles): EmbeddingCache {
    return new EmbeddingCache(join(root, '.tunesmith', 'embeddings'), modelKey(files));
  }

  private load(): void {
    if (!existsSync(this.file)) return;
    const bytes = readFileSync(this.file);
    if (bytes.length < 4) return;
    const dimensions = bytes.readUInt32LE(0);
    if (dimensions === 0 || dimensions > 65536) return;
    const record = KEY_BYTES + dimensions * 4;
    // A torn tail: leave `dimensions` unset, so that the next save writes the file again, aligned.
    if ((bytes.length - 4) % record === 0) this.dimensions = dimensions;
    for (let offset = 4; offset + record <= bytes.length; offset += record) {
      const key = bytes.subarray(offset, offset + KEY_BYTES).toString('hex');
      const vector = new Float32Array(dimensions);
      for (let d = 0; d < dimensions; d++) vector[d] = bytes.readFloatLE(offset + KEY_BYTES + d * 4);
      this.vectors.set(key, vector);
    }
  }

  /** `embed` with the cache in front: only texts never seen are sent, each distinct text once. */
  wrap(embed: Embed): Embed {
    return async (texts) => {
      const keys = texts.map(textKey);
      const missing = new Map<string, string>();
      keys.forEach((key, i) => {
        if (!this.vectors.has(key) && !missing.has(key)) missing.set(key, texts[i]!);
      });
      this.misses += missing.size;
      this.hits += texts.length - missing.size;
      if (missing.size > 0) {
        const vectors = await embed([...missing.values()]);
        [...missing.keys()].forEach((key, i) => {
          this.vectors.set(key, vectors[i]!);
          this.fresh.push([key, vectors[i]!]);
        });
      }
      return keys.map((key) => this.vectors.get(key)!);
    };
  }

  /** Appends what was embedded since the last save; a cache that cannot be written is only slower. */
  save(): string | undefined {
    if (this.fresh.length === 0) return undefined;
    try {
      mkdirSync(this.dir, { recursive: true });
      const ignore = join(this.dir, '.gitignore');
      if (!existsSync(ignore)) writeFileSync(ignore, '# Embedding cache of the semantic rules.\n*\n');
      const dimensions = this.fresh[0]![1].length;
      if (this.dimensions !== dimensions) {
        // A new file, a torn one, or one of other dimensions: write it again, whole.
        const header = Buffer.alloc(4);
        header.writeUInt32LE(dimensions, 0);
        writeFileSync(this.file, header);
        this.dimensions = dimensions;
        appendFileSync(this.file, records([...this.vectors].filter(([, v]) => v.length === dimensions)));
      } else appendFileSync(this.file, records(this.fresh));
      this.fresh.length = 0;
      return undefined;
    } catch (error) {
      return `cannot write the embedding cache ${this.file}: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
}

function records(entries: readonly [string, Float32Array][]): Buffer {
  const size = entries.length === 0 ? 0 : KEY_BYTES + entries[0]![1].length * 4;
  const out = Buffer.alloc(size * entries.length);
  entries.forEach(([key, vector], i) => {
    Buffer.from(key, 'hex').copy(out, i * size);
    for (let d = 0; d < vector.length; d++) out.writeFloatLE(vector[d]!, i * size + KEY_BYTES + d * 4);
  });
  return out;
}
