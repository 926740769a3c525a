/**
 * `npm run bench:embeddings`: throughput of the semantic rules' embedder (worker thread, onnxruntime on
 * 2 intra-op threads) on texts of exactly 64 tokens ([CLS] and [SEP] included), for the int8 and the
 * fp32 model. Needs the model: scripts/setup-embedding-model.sh.
 *
 *   npm run bench:embeddings -- --count 1024 --threads 2
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Tokenizer } from '@huggingface/tokenizers';
import { defaultModelDir, findEmbeddingModel } from '../src/core/semantic/model.ts';
import { EmbeddingWorker } from '../src/core/semantic/worker-client.ts';

const { values } = parseArgs({
  options: { count: { type: 'string', default: '512' }, threads: { type: 'string', default: '2' } },
});
const count = Number(values.count);
const threads = Number(values.threads);
const dir = defaultModelDir();

const WORDS =
  'the a customer asked how to reset their password after the update failed twice and support replied with steps to clear the cache restart the device and sign in again using the recovery code sent by email'.split(
    ' ',
  );

/** `count` different texts of exactly 64 tokens each. */
function texts(tokenizer: Tokenizer): string[] {
  const result: string[] = [];
  for (let i = 0; result.length < count; i++) {
    const words: string[] = [`case${i}`];
    let j = i;
    while (tokenizer.encode(words.join(' ')).ids.length < 64) words.push(WORDS[j++ % WORDS.length]!);
    while (tokenizer.encode(words.join(' ')).ids.length > 64) words.pop();
    if (tokenizer.encode(words.join(' ')).ids.length === 64) result.push(words.join(' '));
  }
  return result;
}

async function run(modelFile: string, input: string[]): Promise<void> {
  const files = findEmbeddingModel(dir, modelFile);
  if (!files) {
    console.log(`| ${modelFile} | missing: run scripts/setup-embedding-model.sh | | |`);
    return;
  }
  const worker = new EmbeddingWorker(files, { threads });
  try {
    const { provider } = await worker.ready;
    await worker.embed(input.slice(0, 32)); // warm-up: the first run allocates
    const started = performance.now();
    await worker.embed(input);
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `| ${modelFile} | ${provider}, ${threads} threads | ${input.length} x 64 tokens | ${(input.length / seconds).toFixed(0)} examples/s |`,
    );
  } finally {
    await worker.dispose();
  }
}

async function main(): Promise<void> {
  const tokenizer = new Tokenizer(JSON.parse(readFileSync(`${dir}/tokenizer.json`, 'utf8')) as object, {});
  const input = texts(tokenizer);
  console.log('| model | execution | input | throughput |');
  console.log('| --- | --- | ---: | ---: |');
  await run('model.onnx', input);
  await run('model-fp32.onnx', input);
}

await main();
