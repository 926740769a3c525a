/**
 * The embedding cache: a second lint embeds only the texts it has not seen; what it read back is what
 * was embedded; a torn last record or another model's file does not poison it. The embedder here is a
 * stand-in that records what it is asked (the cache is what is tested; the model is tested in
 * embedder.test.ts and rules.test.ts).
 */
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EmbeddingCache, type Embed } from '../../../src/core/semantic/cache.ts';

function recordingEmbed(asked: string[][]): Embed {
  return (texts) => {
    asked.push([...texts]);
    return Promise.resolve(
      texts.map((text) => Float32Array.from({ length: 4 }, (_, d) => text.length + d / 8)),
    );
  };
}

describe('EmbeddingCache', () => {
  it('embeds each new text once, and after a reload only the changed ones', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'tunesmith-cache-')), '.tunesmith', 'embeddings');
    const asked: string[][] = [];
    const first = new EmbeddingCache(dir, 'model-a');
    const vectors = await first.wrap(recordingEmbed(asked))(['alpha', 'beta', 'alpha']);
    assert.deepEqual(asked, [['alpha', 'beta']]);
    assert.equal(vectors[0], vectors[2]);
    assert.equal(first.save(), undefined);
    assert.match(readFileSync(join(dir, '.gitignore'), 'utf8'), /^\*$/m);

    const second = new EmbeddingCache(dir, 'model-a');
    const again = await second.wrap(recordingEmbed(asked))(['alpha', 'beta', 'gamma!']);
    assert.deepEqual(asked, [['alpha', 'beta'], ['gamma!']]);
    assert.deepEqual([second.hits, second.misses], [2, 1]);
    assert.deepEqual([...again[1]!], [4, 4.125, 4.25, 4.375], 'read back as written');
    second.save();
    const third = new EmbeddingCache(dir, 'model-a');
    await third.wrap(recordingEmbed(asked))(['gamma!']);
    assert.equal(asked.length, 2, 'appended records are read back');
  });

  it('ignores a torn last record, and keeps models apart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tunesmith-cache-'));
    const asked: string[][] = [];
    const cache = new EmbeddingCache(dir, 'model-a');
    await cache.wrap(recordingEmbed(asked))(['alpha']);
    cache.save();
    appendFileSync(join(dir, 'model-a.bin'), Buffer.alloc(7, 0xff));
    const reloaded = new EmbeddingCache(dir, 'model-a');
    await reloaded.wrap(recordingEmbed(asked))(['alpha']);
    assert.equal(asked.length, 1);
    await reloaded.wrap(recordingEmbed(asked))(['beta']);
    reloaded.save();
    const repaired = new EmbeddingCache(dir, 'model-a');
    await repaired.wrap(recordingEmbed(asked))(['alpha', 'beta']);
    assert.equal(asked.length, 2, 'the torn file was written again, aligned');
    const other = new EmbeddingCache(dir, 'model-b');
    await other.wrap(recordingEmbed(asked))(['alpha']);
    assert.equal(asked.length, 3, 'another model embeds again');
    other.save();
    assert.deepEqual(readdirSync(dir).sort(), ['.gitignore', 'model-a.bin', 'model-b.bin']);
  });

  it('says so when it cannot write, and still answers', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tunesmith-cache-')), 'not-a-dir');
    appendFileSync(file, 'x');
    const cache = new EmbeddingCache(join(file, 'embeddings'), 'model-a');
    const vectors = await cache.wrap(recordingEmbed([]))(['alpha']);
    assert.equal(vectors.length, 1);
    assert.match(cache.save() ?? '', /cannot write the embedding cache/);
    assert.equal(existsSync(join(file, 'embeddings')), false);
  });
});
