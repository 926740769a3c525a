/**
 * Evaluation results inline in a real editor: the recorded report of the demo's tiny task (the
 * trainer's own output, its paths pointed at this workspace's copy, two examples turned into
 * regressions and one output made hostile) in a run's evaluations/ folder; the held-out file opened
 * shows a CodeLens on each evaluated line, the hover shows reference and outputs as text, an edited
 * line is marked stale, and List Regressions jumps to the largest loss. Screenshots: evaluation-inline-*.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import type { EvaluationReport } from '../../src/shared/evaluation-report.ts';
import {
  ROOT,
  SHOTS,
  codeLenses,
  evaluationHover,
  goToLine,
  pageText,
  quickOpen,
  runCommand,
  scenario,
  until,
} from './harness.ts';

const HOSTILE =
  '<img src=x onerror="window.__pwned=1"> </script><script>window.__pwned=2</script> [link](javascript:alert(1)) `tick`';
let page: Page;

/** The recorded report on this workspace's copy of the demo, with regressions and a hostile output. */
function report(workspace: string): EvaluationReport {
  const recorded = JSON.parse(
    readFileSync(join(ROOT, 'test/fixtures/evaluation-report.recorded.json'), 'utf8'),
  ) as EvaluationReport;
  recorded.source.heldout!.path = join(workspace, 'tiny-task/validation.jsonl');
  recorded.run!.dir = join(workspace, '.tunesmith/runs/tiny-demo');
  // Lines 3 and 6 regress: base and tuned swapped (line 6 then loses more, its base output being worse).
  for (const index of [2, 5]) {
    const example = recorded.examples[index]!;
    example.outputs = { base: example.outputs.tuned, tuned: example.outputs.base! };
    example.scores = { base: example.scores.tuned, tuned: example.scores.base! };
    example.correct = { base: example.correct.tuned, tuned: example.correct.base! };
    example.outcome = 'regressed';
  }
  recorded.examples[2]!.scores.tuned.f1 = 0.5;
  recorded.examples[5]!.scores.tuned.f1 = 0.1;
  recorded.examples[1]!.outputs.tuned = `${recorded.examples[1]!.reference} ${HOSTILE}`;
  return recorded;
}

const text = (selector: string): Promise<string> => pageText(page, selector);

scenario('evaluation-inline', {
  prepare: (started) => {
    const path = join(started.workspace, '.tunesmith/runs/tiny-demo/evaluations/final.json');
    mkdirSync(dirname(path), { recursive: true });
    // As the trainer writes it: a temporary file renamed into place.
    writeFileSync(`${dirname(path)}/.final.json.1.tmp`, JSON.stringify(report(started.workspace)));
    renameSync(`${dirname(path)}/.final.json.1.tmp`, path);
  },
  ready: (scene) => ({ page } = scene),
});

test('the held-out file shows each result above its line, and the hover shows the outputs as text', async () => {
  await quickOpen(page, 'tiny-task/validation.jsonl');
  const shown = await until(
    'the lenses',
    async () => {
      const all = await codeLenses(page);
      return all.length >= 6 ? all : undefined;
    },
    90_000,
  );
  // The first lens is line 1's: example 0 of the recorded report, base 0.015 → tuned 1.000.
  assert.equal(shown[0], 'tuned ✓ · base ✗ · F1 0.015 → 1.000 (+0.985)');
  assert.match(shown[2]!, /^tuned ✗ · base ✓ · F1 1\.000 → 0\.500 \(−0\.500\) · regressed$/);
  await page.screenshot({ path: join(SHOTS, 'evaluation-inline-lens.png') });

  await goToLine(page, 2);
  const hover = await evaluationHover(page);
  assert.match(hover, /Reference\s+b7 b9 b9/);
  assert.ok(hover.includes(HOSTILE), `the hostile output as text:\n${hover}`);
  assert.match(hover, /Compare in diff editor · Open in Evaluation panel/);
  const active = await page.evaluate(() => ({
    images: document.querySelectorAll('.monaco-hover img').length,
    scripts: document.querySelectorAll('.monaco-hover script').length,
    links: [...document.querySelectorAll<HTMLAnchorElement>('.monaco-hover a')].map(
      (a) => a.dataset['href'] ?? a.getAttribute('href') ?? '',
    ),
    pwned: (window as unknown as { __pwned?: number }).__pwned,
  }));
  assert.equal(active.images, 0);
  assert.equal(active.scripts, 0);
  assert.equal(active.pwned, undefined);
  assert.ok(
    active.links
      .filter((link) => /^command:/.test(link))
      .every((link) => /^command:tunesmith\.evaluation\.(compareInDiff|show)\?/.test(link)),
    active.links.join('\n'),
  );
  await page.screenshot({ path: join(SHOTS, 'evaluation-inline-hover.png') });
  await page.keyboard.press('Escape');
});

test('an edited line is marked stale; List Regressions jumps to the largest loss', async () => {
  await goToLine(page, 4);
  await page.keyboard.press('End');
  await page.keyboard.type(' ');
  const stale = await until(
    'a stale lens',
    async () => {
      const all = await codeLenses(page);
      return all.some((lens) => lens.includes('stale: line changed since the evaluation')) ? all : undefined;
    },
    60_000,
  );
  assert.match(stale[3]!, /^⚠ stale: line changed since the evaluation · tuned ✓ · base ✗ · F1 /);
  assert.equal(stale.filter((lens) => lens.includes('stale')).length, 1, stale.join('\n'));
  await page.screenshot({ path: join(SHOTS, 'evaluation-inline-stale.png') });

  await runCommand(page, 'Tunesmith: List Regressions');
  const rows = await until(
    'the regressions',
    async () => {
      const list = await text('.quick-input-list');
      return list.includes('line 6') && list.includes('line 3') ? list : undefined;
    },
    30_000,
  );
  assert.ok(rows.indexOf('line 6') < rows.indexOf('line 3'), `the larger loss first:\n${rows}`);
  assert.match(rows, /−0\.900 F1 · line 6/);
  await page.screenshot({ path: join(SHOTS, 'evaluation-inline-regressions.png') });
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'line 6' }).first().click();
  await until('the cursor on line 6', async () => (await text('.statusbar')).includes('Ln 6, Col 1'));
});
