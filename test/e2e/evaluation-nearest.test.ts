/**
 * The evaluation panel's nearest training examples in a real editor, with the embedding model in the
 * cache the editor inherits (skipped without it, as semantic.test.ts is): the recorded evaluation of
 * the finished tiny run tiny-1 (test/fixtures/evaluation-report.json), one of its examples made a
 * regression, opened as evaluation-panel.test.ts opens it; the regressed row, expanded, lists the
 * training examples of the run's training file nearest its prompt with their similarities, and a
 * click on one opens that file at its line. Screenshot: evaluation-nearest.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import { skipWithout } from '../embedding-model.ts';
import {
  ROOT,
  SHOTS,
  bindShowEvaluation,
  evaluationPanel,
  scenario,
  showEvaluationByKey,
  until,
} from './harness.ts';

const skip = skipWithout();
let page: Page;

/** The run's training file: line 4 asks what the regressed example asks, in other words. */
const TRAINING = [
  ['How do I bake sourdough bread?', 'Feed the starter, mix, fold, proof overnight, bake hot.'],
  ['What is the capital of Germany?', 'The capital of Germany is Berlin .'],
  ['Name a large river in Africa.', 'The Nile .'],
  ['Which city is the capital of France?', 'The capital of France is Paris .'],
  ['Tell me a joke about cats.', 'A cat walked into a bar.'],
  ['How many legs does a spider have?', 'Eight .'],
];

interface Example {
  index: number;
  outcome: string;
  outputs: { base: string; tuned: string };
  scores: { tuned: Record<string, number> };
  correct: { tuned: boolean };
}

interface Report {
  run: { dir: string };
  source: { heldout: { path: string } };
  comparison: { outcomes: Record<string, number> };
  examples: Example[];
}

if (!skip)
  scenario('evaluation-nearest', {
    prepare: (started) => {
      const runDir = join(started.workspace, '.tunesmith/runs/tiny-1');
      const train = join(started.workspace, 'capitals/train.jsonl');
      mkdirSync(dirname(train), { recursive: true });
      writeFileSync(
        train,
        TRAINING.map(([user, assistant]) =>
          JSON.stringify({
            messages: [
              { role: 'user', content: user },
              { role: 'assistant', content: assistant },
            ],
          }),
        ).join('\n') + '\n',
      );
      // The run's config names its training file: where the panel looks for the nearest examples.
      mkdirSync(join(runDir, 'evaluations'), { recursive: true });
      writeFileSync(join(runDir, 'config.json'), JSON.stringify({ data: { train } }));
      const report = JSON.parse(
        readFileSync(join(ROOT, 'test/fixtures/evaluation-report.json'), 'utf8'),
      ) as Report;
      report.run.dir = runDir;
      report.source.heldout.path = join(started.workspace, 'tiny-task/evaluation-heldout.jsonl');
      // Example 1 ("What is the capital of France?", unchanged in the recording) regressed.
      const france = report.examples[1]!;
      Object.assign(france, { outcome: 'regressed', correct: { ...france.correct, tuned: false } });
      france.outputs.tuned = "I don't know.";
      for (const metric of Object.keys(france.scores.tuned)) france.scores.tuned[metric] = 0;
      report.comparison.outcomes['unchanged']! -= 1;
      report.comparison.outcomes['regressed'] = 1;
      const reportPath = join(runDir, 'evaluations/final.json');
      writeFileSync(reportPath, JSON.stringify(report, null, 1));
      bindShowEvaluation(started, reportPath);
    },
    ready: (scene) => ({ page } = scene),
  });

const neighbours = (frame: Frame) =>
  frame.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('.row[data-index="1"] .nearest .neighbours li')].map(
      (item) => ({
        line: Number(item.querySelector<HTMLElement>('[data-action="openTraining"]')!.dataset['line']),
        similarity: Number(item.querySelector('.similarity')!.textContent),
        prompt: item.querySelector('.neighbour-prompt')!.textContent ?? '',
      }),
    ),
  );

test(
  'a regressed example lists its nearest training examples with similarities; one opens at its line',
  { skip },
  async () => {
    await showEvaluationByKey(page, 'Evaluation tiny-1 · final', 180_000);
    const frame = await evaluationPanel(page, 'final');
    await frame.locator('#outcomes button', { hasText: 'regressed' }).click();
    await until(
      'only the regressed row',
      async () => (await frame.locator('#rows .row').count()) === 1,
      60_000,
    );
    await frame.locator('.row[data-index="1"] .expand').click();
    // The worker starts, embeds the six training prompts and the query; the section says how far.
    const nearest = frame.locator('.row[data-index="1"] .nearest');
    const found = await until(
      'the nearest training examples',
      async () => {
        const list = await neighbours(frame);
        return list.length > 0 ? list : undefined;
      },
      { progress: () => nearest.innerText({ timeout: 1000 }).catch(() => ''), stallMs: 120_000 },
    );
    const title = await nearest.locator('h3').innerText();
    assert.match(title, /capitals\/train\.jsonl, by all-MiniLM-L6-v2/);
    assert.equal(found.length, 5, 'five of the six are shown');
    const [first, second] = found;
    assert.equal(first!.line, 4, JSON.stringify(found));
    assert.match(first!.prompt, /Which city is the capital of France\?/);
    assert.ok(first!.similarity > 0.8, `similarity of the paraphrase: ${first!.similarity}`);
    assert.ok(
      found.every((item, i) => i === 0 || item.similarity <= found[i - 1]!.similarity),
      'most similar first',
    );
    assert.ok(second!.similarity < first!.similarity);
    await nearest.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(SHOTS, 'evaluation-nearest.png') });

    await nearest.locator('[data-action="openTraining"][data-line="4"]').click();
    await page.locator('.tab.active', { hasText: 'train.jsonl' }).waitFor({ timeout: 60_000 });
    await until('the cursor on line 4 of the training file', async () =>
      /Ln 4, Col 1/.test((await page.locator('.statusbar').textContent()) ?? ''),
    );
    await page.screenshot({ path: join(SHOTS, 'evaluation-nearest-opened.png') });
  },
);
