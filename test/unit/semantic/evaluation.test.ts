/**
 * The evaluation panel's semantic figures with the real model (scripts/setup-embedding-model.sh):
 * the nearest training example of a held-out paraphrase is its training twin, and similarity(output,
 * reference) ranks a paraphrase of the reference above an unrelated answer. The embeddings go through
 * the worker thread and the on-disk cache, as in the panel.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EmbeddingCache } from '../../../src/core/semantic/cache.ts';
import { EmbeddingWorker } from '../../../src/core/semantic/worker-client.ts';
import {
  askedPrompt,
  outputSimilarities,
  runTrainingFile,
  TrainingIndex,
} from '../../../src/extension/evaluation/semantic-model.ts';
import { fixtureReport } from '../../webview/evaluation-reports.ts';
import { embeddingModel, skipWithout } from '../../embedding-model.ts';

const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../fixtures/semantic/paraphrases.json'), 'utf8'),
) as { paraphrases: [string, string][] };

const skip = skipWithout();
let worker: EmbeddingWorker;
let dir: string;

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'tunesmith-eval-semantic-'));
  worker = new EmbeddingWorker(embeddingModel!);
  await worker.ready;
});
after(async () => {
  await worker?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the nearest training example of a held-out paraphrase is its training twin', { skip }, async () => {
  const train = join(dir, 'train.jsonl');
  // Chat lines with a system turn, as training files often have: the prompt compared leaves it out.
  writeFileSync(
    train,
    fixture.paraphrases
      .map(([first]) =>
        JSON.stringify({
          messages: [
            { role: 'system', content: 'You are a helpful assistant.' },
            { role: 'user', content: first },
            { role: 'assistant', content: 'An answer.' },
          ],
        }),
      )
      .join('\n') + '\n',
  );
  const cache = new EmbeddingCache(join(dir, 'cache'), 'test');
  const embed = cache.wrap((texts) => worker.embed(texts));
  const seen: [number, number][] = [];
  const index = await TrainingIndex.build(train, embed, (done, total) => seen.push([done, total]));
  assert.equal(index.size, fixture.paraphrases.length);
  assert.deepEqual(seen.at(-1), [fixture.paraphrases.length, fixture.paraphrases.length]);
  let right = 0;
  for (const [i, [, second]] of fixture.paraphrases.entries()) {
    const prompt = askedPrompt({
      ...fixtureReport().examples[0]!,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: second },
      ],
    });
    assert.equal(prompt, second);
    const [query] = await embed([prompt]);
    const nearest = index.nearest(query!, 5);
    assert.equal(nearest.length, 5);
    assert.ok(nearest[0]!.similarity >= nearest[4]!.similarity);
    if (nearest[0]!.line === i + 1) right++;
    else console.log(`#${i}: "${second}" nearest line ${nearest[0]!.line}, not ${i + 1}`);
  }
  // Every pair is a paraphrase; a few are hard enough that a near-miss wins: 90% must be found.
  assert.ok(
    right >= Math.ceil(0.9 * fixture.paraphrases.length),
    `${right} of ${fixture.paraphrases.length}`,
  );
  // The second index is built from the cache: nothing is embedded again.
  const misses = cache.misses;
  await TrainingIndex.build(train, embed);
  assert.equal(cache.misses, misses);
});

test('similarity(output, reference) ranks a paraphrase above an unrelated answer', { skip }, async () => {
  const report = fixtureReport();
  const [example] = report.examples;
  report.examples = [
    {
      ...example!,
      index: 0,
      error: undefined,
      reference: 'Paris is the capital of France.',
      outputs: { base: 'Bananas are rich in potassium.', tuned: "France's capital city is Paris." },
    },
  ];
  delete report.examples[0]!.error;
  const embed = (texts: readonly string[]) => worker.embed(texts);
  const result = await outputSimilarities(report, embed);
  assert.deepEqual(result.index, [0]);
  const [tuned] = result.tuned;
  const [base] = result.base!;
  assert.ok(tuned! > 0.7, `paraphrase ${tuned}`);
  assert.ok(base! < 0.3, `unrelated ${base}`);
  assert.equal(result.mean.tuned, tuned);
});

test("a run's training file: data.train of its config, relative to the run's folder", async () => {
  const root = mkdtempSync(join(tmpdir(), 'tunesmith-eval-train-'));
  try {
    const run = join(root, '.tunesmith/runs/tiny-1');
    mkdirSync(join(run, 'evaluations'), { recursive: true });
    const reportPath = join(run, 'evaluations/final.json');
    const report = fixtureReport();
    report.run = { dir: run };
    // No config yet: no training file known (the panel then offers to choose one).
    assert.equal(await runTrainingFile(reportPath, report), undefined);
    writeFileSync(join(run, 'config.json'), JSON.stringify({ data: { train: '../../../data/train.jsonl' } }));
    assert.equal(await runTrainingFile(reportPath, report), join(root, 'data/train.jsonl'));
    writeFileSync(join(run, 'config.json'), JSON.stringify({ data: { train: '/abs/train.jsonl' } }));
    assert.equal(await runTrainingFile(reportPath, report), '/abs/train.jsonl');
    // Without `run`, a report in a run's evaluations/ folder is that run's; elsewhere, none.
    delete report.run;
    assert.equal(await runTrainingFile(reportPath, report), '/abs/train.jsonl');
    assert.equal(await runTrainingFile(join(root, 'predictions.json'), report), undefined);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
