/** The base-model folder check: the demo's tiny Llama, and folders missing or damaging a piece. */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkModelFolder, findModelFolders } from '../../../src/extension/new-run/model-folder.ts';

const TINY = new URL('../../../demo/models/tiny-llama', import.meta.url).pathname;
const scratch = mkdtempSync(join(tmpdir(), 'tunesmith-models-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function copyWithout(name: string, ...skip: string[]): string {
  const dir = join(scratch, name);
  cpSync(TINY, dir, { recursive: true, filter: (src) => !skip.some((file) => src.endsWith(`/${file}`)) });
  return dir;
}

test('the demo tiny Llama: 79,296 parameters from the safetensors header, nothing missing', async () => {
  const info = await checkModelFolder(TINY);
  assert.deepEqual(info.problems, []);
  assert.equal(info.architecture, 'LlamaForCausalLM');
  assert.equal(info.parameters, 79_296);
  assert.deepEqual([info.hiddenSize, info.layers, info.contextLength], [64, 2, 256]);
  assert.equal(info.weights, 'model.safetensors');
  assert.ok(info.sizeBytes > 319_000, String(info.sizeBytes));
});

test('a folder without weights or without a tokenizer names what is missing', async () => {
  const noWeights = await checkModelFolder(copyWithout('no-weights', 'model.safetensors'));
  assert.deepEqual(noWeights.problems, [
    'No weights: expected model.safetensors (or shards), or pytorch_model.bin.',
  ]);
  const noTokenizer = await checkModelFolder(copyWithout('no-tokenizer', 'tokenizer.json'));
  assert.deepEqual(noTokenizer.problems, [
    'No tokenizer: expected tokenizer.json, tokenizer.model or vocabulary files.',
  ]);
  assert.equal(noTokenizer.parameters, 79_296);
  const noConfig = await checkModelFolder(copyWithout('no-config', 'config.json'));
  assert.match(noConfig.problems[0]!, /^No config\.json/);
});

test('a truncated safetensors header is reported as damaged, never read past', async () => {
  const dir = copyWithout('truncated');
  const weights = readFileSync(join(TINY, 'model.safetensors'));
  const headerLength = Number(weights.readBigUInt64LE(0));
  writeFileSync(join(dir, 'model.safetensors'), weights.subarray(0, 8 + Math.floor(headerLength / 2)));
  const info = await checkModelFolder(dir);
  assert.equal(info.parameters, undefined);
  assert.deepEqual(info.problems, [
    'The weights file model.safetensors is damaged: its header is cut off (truncated file?).',
  ]);
  writeFileSync(join(dir, 'model.safetensors'), weights.subarray(0, 5));
  assert.match((await checkModelFolder(dir)).problems[0]!, /shorter than its header/);
});

test('model folders are found in a workspace', async () => {
  const found = await findModelFolders(new URL('../../../demo', import.meta.url).pathname);
  assert.deepEqual(found, [TINY]);
});
