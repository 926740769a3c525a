/**
 * Reading reports for the panel: a re-evaluation renamed into place is re-read, bad files are named
 * with what is wrong, the other reports of a run's evaluations/ folder become chart points, tokens are
 * held back from the page; and the guards both sides run on the panel's messages.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  OtherReports,
  ReportStore,
  exampleAt,
  lineFile,
  readReport,
  withoutTokens,
} from '../../../src/extension/evaluation/reports.ts';
import {
  isCompareInDiffArgs,
  isEvaluationHostMessage,
  isEvaluationPanelMessage,
  isEvaluationPanelState,
} from '../../../src/shared/evaluation-protocol.ts';
import { fixtureReport } from '../../webview/evaluation-reports.ts';

function runFolder(): string {
  const folder = join(mkdtempSync(join(tmpdir(), 'tunesmith-eval-')), 'run-1', 'evaluations');
  mkdirSync(folder, { recursive: true });
  return folder;
}

/** As the trainer writes a report: to a temporary file, renamed into place. */
function writeReport(path: string, report: unknown): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(report));
  renameSync(`${path}.tmp`, path);
}

test('the store re-reads a report renamed into place, and otherwise answers from its cache', async () => {
  const path = join(runFolder(), 'final.json');
  const report = fixtureReport();
  writeReport(path, report);
  const store = new ReportStore();
  const first = await store.get(path);
  assert.ok(first.ok);
  assert.equal((await store.get(path)) === first, true, 'unchanged file: the same object');
  report.examples[0]!.outputs.tuned = 'Lima.';
  writeReport(path, report);
  const second = await store.get(path);
  assert.ok(second.ok && second !== first);
  assert.equal(second.report.examples[0]!.outputs.tuned, 'Lima.');
});

test('a missing file, invalid JSON and a non-report each say so, naming the file', async () => {
  const folder = runFolder();
  assert.deepEqual(await readReport(join(folder, 'gone.json')), {
    ok: false,
    problem: `${join(folder, 'gone.json')} is not there (moved or deleted?).`,
  });
  writeFileSync(join(folder, 'broken.json'), '{"format": "tunesmith-evaluation",');
  const broken = await readReport(join(folder, 'broken.json'));
  assert.ok(
    !broken.ok && broken.problem.startsWith(`${join(folder, 'broken.json')} is not valid JSON: `),
    JSON.stringify(broken),
  );
  writeFileSync(join(folder, 'other.json'), JSON.stringify({ ...fixtureReport(), version: 2 }));
  const other = await readReport(join(folder, 'other.json'));
  assert.ok(
    !other.ok &&
      other.problem.startsWith(
        `${join(folder, 'other.json')} is not an evaluation report (version 1): /version`,
      ),
    JSON.stringify(other),
  );
});

test('the other reports of the folder become chart points by step; broken ones are left out', async () => {
  const folder = runFolder();
  const at = (step: number, f1: number) => {
    const report = fixtureReport();
    report.id = `checkpoint-${step}`;
    report.run = { dir: join(folder, '..'), checkpoint: `checkpoint-${step}`, step };
    report.metrics.tuned.f1 = f1;
    return report;
  };
  writeReport(join(folder, 'checkpoint-50.json'), at(50, 0.6));
  writeReport(join(folder, 'checkpoint-100.json'), at(100, 0.8));
  writeReport(join(folder, 'final.json'), fixtureReport());
  writeFileSync(join(folder, 'half-written.json'), '{');
  writeFileSync(join(folder, 'notes.txt'), 'not a report');
  const others = new OtherReports(new ReportStore());
  const list = await others.list(join(folder, 'final.json'));
  assert.deepEqual(
    list.map((other) => [other.id, other.step, other.metrics.tuned.f1, other.current]),
    [
      ['checkpoint-50', 50, 0.6, false],
      ['checkpoint-100', 100, 0.8, false],
      ['final', 150, 0.9722, true],
    ],
  );
  assert.ok(list[0]!.metrics.base, 'base metrics come along for the chart’s step 0');
  assert.deepEqual(
    await others.list(join(runFolder(), '..', 'elsewhere.json')),
    [],
    'a report outside evaluations/',
  );
});

test('a deleted run: what the store kept of its reports goes, another run’s stays', async () => {
  const folder = runFolder();
  const run = join(folder, '..');
  const otherFolder = join(run, '..', 'run-10', 'evaluations');
  mkdirSync(otherFolder, { recursive: true });
  const [gone, kept] = [join(folder, 'final.json'), join(otherFolder, 'final.json')];
  writeReport(gone, fixtureReport());
  writeReport(kept, fixtureReport());
  const store = new ReportStore();
  const others = new OtherReports(store);
  assert.equal((await others.ofRun(run)).length, 1);
  assert.equal((await others.ofRun(join(otherFolder, '..'))).length, 1);
  assert.ok((await store.get(gone)).ok);
  rmSync(run, { recursive: true });
  assert.ok(store.holds(gone), 'kept until told: nobody asks for a deleted run’s reports again');
  // run-1 is a prefix of run-10's name: only the deleted folder's reports go.
  others.forgetRun(run);
  assert.equal(store.holds(gone), false);
  assert.equal(store.holds(kept), true);
});

test('the page gets the report without tokens, and is told that they exist', () => {
  const report = fixtureReport();
  const { report: sent, tokens } = withoutTokens(report);
  assert.equal(tokens, true);
  assert.ok(sent.examples.every((example) => example.tokens === undefined));
  assert.ok(
    report.examples.every((example) => example.tokens !== undefined),
    'the cached report keeps them',
  );
  assert.equal(withoutTokens(sent).tokens, false);
  assert.equal(exampleAt(report, 4)!.reference, 'The capital of Chile is Santiago .');
  assert.equal(exampleAt(report, 40), undefined);
});

test('an example line’s file: the held-out file, else the predictions file, relative to the report', () => {
  const report = fixtureReport();
  assert.equal(lineFile('/ws/run/evaluations/final.json', report), '/workspace/tiny-task/val.jsonl');
  report.source = {
    kind: 'score',
    predictions: {
      path: 'preds.jsonl',
      layout: 'llamafactory',
      columns: { reference: 'label', tuned: 'predict' },
    },
  };
  assert.equal(lineFile('/ws/out/score.json', report), '/ws/out/preds.jsonl');
  report.source = { kind: 'compare' };
  assert.equal(lineFile('/ws/out/score.json', report), undefined);
});

test('messages from the page: only the known shapes, indices and sides; nothing extra', () => {
  const good = [
    { type: 'ready' },
    { type: 'tokens', index: 3 },
    { type: 'openHeldout', index: 0 },
    { type: 'compareInDiff', index: 2, left: 'base', right: 'tuned' },
    { type: 'openReport', path: '/ws/run/evaluations/checkpoint-50.json' },
    { type: 'export', format: 'markdown' },
  ];
  for (const message of good) assert.ok(isEvaluationPanelMessage(message), JSON.stringify(message));
  const bad = [
    { type: 'ready', extra: 1 },
    { type: 'tokens', index: -1 },
    { type: 'tokens', index: 1.5 },
    { type: 'openHeldout', index: '3' },
    { type: 'compareInDiff', index: 2, left: 'base', right: 'base' },
    { type: 'compareInDiff', index: 2, left: 'base', right: 'model' },
    { type: 'openReport', path: '../../etc/passwd.json' },
    { type: 'openReport', path: '/ws/run/evaluations/x.sh' },
    { type: 'export', format: 'pdf' },
    { type: 'run', command: 'rm -rf /' },
    null,
    'ready',
  ];
  for (const message of bad) assert.ok(!isEvaluationPanelMessage(message), JSON.stringify(message));
  assert.ok(
    isCompareInDiffArgs({ report: 'C:\\ws\\final.json', index: 0, left: 'tuned', right: 'reference' }),
  );
  assert.ok(!isCompareInDiffArgs({ report: 'final.json', index: 0, left: 'tuned', right: 'reference' }));
});

test('messages to the page and its saved state are checked too; the report by its schema', () => {
  const { report } = withoutTokens(fixtureReport());
  assert.ok(isEvaluationHostMessage({ type: 'report', path: '/ws/final.json', report, tokens: true }));
  assert.ok(
    !isEvaluationHostMessage({
      type: 'report',
      path: '/ws/final.json',
      report: { ...report, version: 2 },
      tokens: true,
    }),
  );
  assert.ok(
    !isEvaluationHostMessage({ type: 'tokens', index: 0, tokens: { text: ['a'], base: ['x'], tuned: [1] } }),
  );
  assert.ok(isEvaluationPanelState({ path: '/ws/final.json' }));
  assert.ok(
    isEvaluationPanelState({
      path: '/ws/final.json',
      view: {
        filter: { kind: 'flip', table: 1, cell: 'base_only' },
        sort: { key: 'f1', of: 'delta', descending: true },
        query: '',
      },
    }),
  );
  assert.ok(
    !isEvaluationPanelState({
      path: '/ws/final.json',
      view: { filter: { kind: 'flip', table: 1, cell: 'x' }, sort: { key: 'index' }, query: '' },
    }),
  );
  assert.ok(!isEvaluationPanelState({ path: 'relative.json' }));
});
