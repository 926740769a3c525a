// The guards of messages that cross a process or webview boundary are the schemas of schemas/,
// compiled ahead of time: each guard accepts exactly what ajv's run-time compile of the same schema
// accepts (the reference here, in Node only), on valid messages and on mutations of them.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import {
  FORMAT_IDS,
  SEVERITIES,
  isDatasetFilter,
  isDatasetHostMessage,
  isDatasetRow,
  isDatasetViewMessage,
} from '../../src/shared/dataset-protocol.ts';
import { isEvaluationEvent, isEvaluationSummary } from '../../src/shared/evaluation-events.ts';
import {
  TEXT_SIDES,
  isCompareInDiffArgs,
  isEvaluationHostMessage,
  isEvaluationPanelMessage,
  isEvaluationPanelState,
  isReportPath,
} from '../../src/shared/evaluation-protocol.ts';
import { isNewRunFormMessage, isNewRunHostMessage } from '../../src/shared/new-run-protocol.ts';
import { isTrainerEvent } from '../../src/shared/trainer-events.ts';
import {
  RUN_ID,
  isComparePanelMessage,
  isComparePanelState,
  isCompareHostMessage,
  isRunHostMessage,
  isRunPanelMessage,
  isRunPanelState,
} from '../../src/shared/webview-protocol.ts';
import { fixtureReport } from '../webview/evaluation-reports.ts';

const SCHEMAS = new URL('../../schemas/', import.meta.url);
const ajv = new Ajv2020({ strict: false, validateFormats: false });
for (const file of readdirSync(SCHEMAS).filter((name) => name.endsWith('.schema.json'))) {
  const schema = JSON.parse(readFileSync(new URL(file, SCHEMAS), 'utf8')) as { $schema?: string };
  if (schema.$schema?.includes('2020-12')) ajv.addSchema(schema);
}
const reference = (ref: string) => {
  const validate = ajv.getSchema(`https://tunesmith.dev/schemas/${ref}`);
  assert.ok(validate, ref);
  return (value: unknown) => validate(value) as boolean;
};

const time = '2026-12-03T22:00:00+00:00';
const trainerEvents: unknown[] = [
  {
    v: 1,
    time,
    type: 'started',
    run_dir: '/runs/a',
    config: {},
    device: { type: 'cpu', count: 1, precision: 'fp32' },
    parameters: { total: 100, trainable: 10 },
    examples: { train: 8, validation: 2 },
  },
  {
    v: 1,
    time,
    type: 'progress',
    step: 3,
    total_steps: 10,
    epoch: 0.3,
    eta_seconds: null,
    elapsed_seconds: 2,
  },
  { v: 1, time, type: 'log', step: 3, epoch: 0.3, loss: 1.25, learning_rate: 1e-4, gpu_memory_bytes: null },
  { v: 1, time, type: 'log', step: 4, loss: null },
  { v: 1, time, type: 'eval', step: 5, eval_loss: 1.1, best_eval_loss: 1.1, metrics: { loss: 1.1 } },
  { v: 1, time, type: 'checkpoint', path: 'checkpoints/checkpoint-5', step: 5 },
  { v: 1, time, type: 'warning', message: 'slow', hint: 'wait' },
  {
    v: 1,
    time,
    type: 'error',
    kind: 'config',
    message: 'bad',
    problems: [{ path: 'training/epochs', message: 'must be at least 1' }],
  },
  { v: 1, time, type: 'finished', status: 'completed', step: 10, paths: { run_dir: '/runs/a' }, metrics: {} },
];
const summary = { output: 'report.json', examples: 4, exact_match: { base: 0.25, tuned: 0.5 }, problems: 0 };
const evaluationEvents: unknown[] = [
  { v: 1, time, type: 'eval_started', file: 'val.jsonl', limit: 4, checkpoint: 'checkpoint-5' },
  { v: 1, time, type: 'eval_progress', phase: 'base', done: 1, total: 4 },
  { v: 1, time, type: 'error', kind: 'data', message: 'bad line', line: 3 },
  { v: 1, time, type: 'eval_finished', status: 'completed', summary },
  { v: 1, time, type: 'eval_finished', status: 'cancelled' },
];

/** A copy of `value` with one field somewhere in it dropped, replaced by `replacement`, or added. */
function mutate(value: unknown, path: number[], replacement: unknown, action: number): unknown {
  if (typeof value !== 'object' || value === null) return replacement;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...value };
  const keys = Object.keys(copy);
  if (keys.length === 0 || path.length === 0 || action === 2) {
    (copy as Record<string, unknown>)['extra'] = replacement;
    return copy;
  }
  const key = keys[path[0]! % keys.length]!;
  const record = copy as Record<string, unknown>;
  if (path.length === 1 && action === 0)
    return Object.fromEntries(Object.entries(record).filter(([k]) => k !== key));
  record[key] = path.length === 1 ? replacement : mutate(record[key], path.slice(1), replacement, action);
  return copy;
}

const action = { enabled: false, reason: 'The run is running.' };
const runHostMessages: unknown[] = [
  { type: 'reset', runId: 'run-1', events: trainerEvents, log: ['a line'] },
  { type: 'events', events: trainerEvents.slice(0, 2) },
  { type: 'log', lines: ['x'] },
  { type: 'state', state: 'running', detail: 'step 3', cancel: { enabled: true }, resume: action },
  { type: 'notice', message: 'skipped a corrupt line' },
  {
    type: 'evaluation',
    evaluation: { state: 'completed', summary, phase: 'tuned', done: 4, total: 4 },
    evaluate: action,
  },
];
const curve = { steps: [1, 2], values: [1.5, null] };
const compareRun = { id: 'run-1', label: 'tiny · lora', train: curve, eval: { steps: [], values: [] } };

const model = {
  path: '/models/tiny',
  name: 'tiny',
  problems: [],
  sizeBytes: 10,
  layers: 2,
  weights: 'safetensors',
};
const dataset = {
  uri: 'file:///d/train.jsonl',
  path: '/d/train.jsonl',
  label: 'train.jsonl',
  run: { dir: '/r', command: ['python'] },
};
const newRunHostMessages: unknown[] = [
  {
    type: 'init',
    runDir: '/r',
    command: ['python', '-m', 'tunesmith_trainer'],
    models: [model],
    datasets: [dataset],
  },
  { type: 'trusted', command: ['python'] },
  { type: 'env', env: { python: '/usr/bin/python3', gpu: { name: 'H100', memoryBytes: 8e10 } } },
  { type: 'model', model },
  { type: 'datasets', datasets: [dataset], select: { train: 'a', validation: 'b' } },
  { type: 'summary', summary: { uri: 'u', examples: 3, format: 'chat', errors: 0, warnings: 1 } },
  { type: 'summary', summary: { uri: 'u', error: 'unreadable' } },
  {
    type: 'estimate',
    seq: 2,
    estimate: {
      device: 'cpu',
      fits: null,
      totalBytes: 5,
      freeBytes: null,
      suggestions: [{ change: 'r 8', totalBytes: 4, fits: true }],
    },
  },
  { type: 'error', message: 'no' },
];
const newRunFormMessages: unknown[] = [
  { type: 'ready' },
  { type: 'split', uri: 'u' },
  { type: 'estimate', seq: 1, config: { model: {} } },
  { type: 'launch', config: {}, override: false },
];

const metrics = {
  exact: 0.5,
  exact_normalized: 0.5,
  f1: 0.6,
  rouge1: 0.6,
  rouge2: 0.4,
  rougeL: 0.6,
  bleu: 30,
  chrf: 50,
  length_ratio: 1,
};
const reportPath = '/runs/a/evaluations/report.json';
const evaluationHostMessages: unknown[] = [
  { type: 'report', path: reportPath, report: fixtureReport(), tokens: true },
  { type: 'problem', path: 'C:\\runs\\report.json', message: 'not a report' },
  { type: 'tokens', index: 2, tokens: { text: ['a', 'b'], base: [-1, -2], tuned: [-0.5, -0.1] } },
  { type: 'tokens', index: 0, tokens: null },
  {
    type: 'others',
    reports: [
      {
        path: reportPath,
        id: 'r1',
        step: 5,
        primary: 'exact',
        metrics: { base: metrics, tuned: metrics },
        current: true,
      },
      { path: 'D:/r2.JSON', id: 'r2', primary: 'bleu', metrics: { tuned: metrics }, current: false },
    ],
  },
  { type: 'semantic', state: 'off', info: 'no model' },
  { type: 'semantic', state: 'working', done: 3, total: 10 },
  { type: 'semantic', state: 'failed', message: 'worker died' },
  {
    type: 'semantic',
    state: 'ready',
    model: { name: 'all-MiniLM-L6-v2', path: '/m' },
    mean: { base: 0.5, tuned: 0.75 },
    index: [0, 1],
    base: [0.25, 0.75],
    tuned: [1, 0.5],
  },
  { type: 'nearest', index: 1, state: 'off', info: 'no model' },
  { type: 'nearest', index: 1, state: 'working', done: 0, total: 5 },
  { type: 'nearest', index: 1, state: 'choose' },
  { type: 'nearest', index: 1, state: 'failed', message: 'unreadable' },
  {
    type: 'nearest',
    index: 1,
    state: 'ready',
    file: '/w/train.jsonl',
    model: { name: 'm', path: '/m' },
    neighbours: [{ line: 3, similarity: 0.9, prompt: 'p' }],
  },
];
const evaluationPanelMessages: unknown[] = [
  { type: 'ready' },
  { type: 'tokens', index: 1 },
  { type: 'openHeldout', index: 0 },
  { type: 'compareInDiff', index: 3, left: 'base', right: 'reference' },
  { type: 'openReport', path: reportPath },
  { type: 'export', format: 'html' },
  { type: 'nearest', index: 2 },
  { type: 'chooseTraining', index: 2 },
  { type: 'openTraining', line: 7 },
];
const evaluationPanelStates: unknown[] = [
  { path: reportPath },
  { path: reportPath, view: { filter: { kind: 'all' }, sort: { key: 'index' }, query: '' } },
  {
    path: reportPath,
    view: {
      filter: { kind: 'flip', table: 0, cell: 'base_only' },
      sort: { key: 'f1', of: 'delta', descending: true },
      query: 'x',
    },
  },
  {
    path: reportPath,
    view: { filter: { kind: 'outcome', outcome: 'regressed' }, sort: { key: 'index' }, query: '' },
  },
];
const finding = {
  code: 'pii-email',
  severity: 'warning',
  message: 'an e-mail address',
  start: 3,
  end: 9,
  turn: 1,
};
const turn = {
  role: 'user',
  canonical: 'user',
  content: 'hi',
  length: 2,
  toolCalls: null,
  name: null,
  weightZero: false,
};
const datasetRows: unknown[] = [
  {
    kind: 'example',
    line: 0,
    format: 'chat',
    turns: [turn, { ...turn, role: 'gpt', canonical: null, content: null }],
    text: null,
    textLength: 0,
    extra: '{"id": 1}',
    findings: [finding],
  },
  {
    kind: 'invalid',
    line: 1,
    error: 'unexpected end',
    text: '{"a"',
    textLength: 4,
    findings: [{ ...finding, turn: null }],
  },
  { kind: 'blank', line: 2, findings: [] },
];
const datasetHostMessages: unknown[] = [
  {
    type: 'document',
    name: 'train.jsonl',
    version: 3,
    lineCount: 10,
    findings: 2,
    codes: [{ code: 'pii-email', severity: 'warning', count: 1 }],
  },
  { type: 'rows', version: 3, rows: datasetRows },
  { type: 'filtered', id: 1, lines: [0, 4] },
  { type: 'filtered', id: 2, lines: null },
  { type: 'fixes', line: 0, finding: 0, titles: ['Mask the address'] },
  { type: 'notice', message: 'the file changed' },
  {
    type: 'stats',
    version: 3,
    message: null,
    charts: {
      examples: 4,
      tokenizer: 'o200k_base',
      maxTokens: 4096,
      overMax: 0,
      tokens: { width: 1, counts: [0, 2, 2], total: 4, max: 2 },
      roles: [{ role: 'user', histogram: { width: 1, counts: [4], total: 4, max: 0 } }],
      formats: [{ format: 'chat', count: 4 }],
      turns: [{ turns: 2, count: 4 }],
      labels: [{ label: '<b>yes</b>', count: 3 }],
      duplicates: [{ size: 2, clusters: 1 }],
      nearDuplicates: [],
      pii: [{ code: 'pii/email', count: 1 }],
      secrets: [],
      systemPrompts: [{ text: 'Be brief.', length: 9, count: 2 }],
      otherSystemPrompts: 0,
      noSystemPrompt: 2,
    },
  },
  { type: 'stats', version: 3, charts: null, message: 'no server' },
];
const datasetFilter = {
  code: 'pii-email',
  severity: 'warning',
  format: 'chat',
  minTurns: 1,
  maxTurns: 4,
  query: 'x',
  minTokens: 10,
  maxTokens: 19,
  tokenRole: 'assistant',
  label: 'positive',
  system: 'Be brief.',
};
const datasetViewMessages: unknown[] = [
  { type: 'ready' },
  { type: 'openText' },
  { type: 'stats', show: true },
  { type: 'stats', show: false },
  { type: 'rows', lines: [0, 1, 2] },
  { type: 'reveal', line: 1, character: 4 },
  { type: 'filter', id: 1, filter: datasetFilter },
  { type: 'filter', id: 2, filter: {} },
  { type: 'fixes', findings: 2, line: 0, finding: 0 },
  { type: 'applyFix', findings: 2, line: 0, finding: 0, fix: 1 },
];

interface Curve {
  steps: unknown[];
  values: unknown[];
}
const cases: {
  name: string;
  guard: (value: unknown) => boolean;
  ref: string;
  valid: unknown[];
  invariant?: (value: unknown) => boolean;
}[] = [
  { name: 'trainer events', guard: isTrainerEvent, ref: 'events.schema.json', valid: trainerEvents },
  {
    name: 'evaluation events',
    guard: isEvaluationEvent,
    ref: 'evaluation-events.schema.json',
    valid: evaluationEvents,
  },
  {
    name: 'evaluation summaries',
    guard: isEvaluationSummary,
    ref: 'evaluation-events.schema.json#/$defs/summary',
    valid: [summary],
  },
  {
    name: 'run host messages',
    guard: isRunHostMessage,
    ref: 'webview-protocol.schema.json#/$defs/runHostMessage',
    valid: runHostMessages,
  },
  {
    name: 'run panel messages',
    guard: isRunPanelMessage,
    ref: 'webview-protocol.schema.json#/$defs/runPanelMessage',
    valid: [{ type: 'ready' }, { type: 'cancelEvaluation' }],
  },
  {
    name: 'run panel states',
    guard: isRunPanelState,
    ref: 'webview-protocol.schema.json#/$defs/runPanelState',
    valid: [{ runId: 'run-1' }],
  },
  {
    name: 'new-run host messages',
    guard: isNewRunHostMessage,
    ref: 'new-run-protocol.schema.json#/$defs/newRunHostMessage',
    valid: newRunHostMessages,
  },
  {
    name: 'new-run form messages',
    guard: isNewRunFormMessage,
    ref: 'new-run-protocol.schema.json#/$defs/newRunFormMessage',
    valid: newRunFormMessages,
  },
  {
    name: 'compare host messages',
    guard: isCompareHostMessage,
    ref: 'webview-protocol.schema.json#/$defs/compareHostMessage',
    valid: [{ type: 'runs', runs: [compareRun], ids: ['run-1', 'run-2'] }],
    // What the schema cannot say: a curve's values are as long as its steps.
    invariant: (value: unknown) =>
      (value as { runs: { train: Curve; eval: Curve }[] }).runs.every((run) =>
        [run.train, run.eval].every((c) => c.steps.length === c.values.length),
      ),
  },
  {
    name: 'compare panel messages',
    guard: isComparePanelMessage,
    ref: 'webview-protocol.schema.json#/$defs/comparePanelMessage',
    valid: [{ type: 'ready' }],
  },
  {
    name: 'evaluation host messages',
    guard: isEvaluationHostMessage,
    ref: 'evaluation-protocol.schema.json#/$defs/evaluationHostMessage',
    valid: evaluationHostMessages,
  },
  {
    name: 'evaluation panel messages',
    guard: isEvaluationPanelMessage,
    ref: 'evaluation-protocol.schema.json#/$defs/evaluationPanelMessage',
    valid: evaluationPanelMessages,
  },
  {
    name: 'evaluation panel states',
    guard: isEvaluationPanelState,
    ref: 'evaluation-protocol.schema.json#/$defs/evaluationPanelState',
    valid: evaluationPanelStates,
  },
  {
    name: 'compareInDiff arguments',
    guard: isCompareInDiffArgs,
    ref: 'evaluation-protocol.schema.json#/$defs/compareInDiffArgs',
    valid: [{ report: reportPath, index: 0, left: 'tuned', right: 'base' }],
  },
  {
    name: 'dataset host messages',
    guard: isDatasetHostMessage,
    ref: 'dataset-protocol.schema.json#/$defs/datasetHostMessage',
    valid: datasetHostMessages,
  },
  {
    name: 'dataset view messages',
    guard: isDatasetViewMessage,
    ref: 'dataset-protocol.schema.json#/$defs/datasetViewMessage',
    valid: datasetViewMessages,
  },
  {
    name: 'dataset rows',
    guard: isDatasetRow,
    ref: 'dataset-protocol.schema.json#/$defs/row',
    valid: datasetRows,
  },
  {
    name: 'dataset filters',
    guard: isDatasetFilter,
    ref: 'dataset-protocol.schema.json#/$defs/filter',
    valid: [datasetFilter, {}],
  },
  {
    name: 'compare panel states',
    guard: isComparePanelState,
    ref: 'webview-protocol.schema.json#/$defs/comparePanelState',
    valid: [{ runIds: ['a', 'b.c'] }],
  },
];

for (const { name, guard, ref, valid, invariant } of cases) {
  const reference_ = reference(ref);
  const schema = (value: unknown) => reference_(value) && (invariant?.(value) ?? true);

  test(`${name}: every sample the schema accepts, the guard accepts`, () => {
    for (const value of valid) {
      assert.ok(schema(value), JSON.stringify(value));
      assert.ok(guard(value), JSON.stringify(value));
    }
  });

  test(`property: ${name}: a mutated message is refused by the guard exactly when the schema refuses it`, () => {
    let refused = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...valid),
        fc.array(fc.nat(), { minLength: 0, maxLength: 3 }),
        fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.constant(Number.NaN)),
        fc.nat(2),
        (message, path, replacement, action) => {
          const mutated = mutate(message, path, replacement, action);
          const expected = schema(mutated);
          if (!expected) refused += 1;
          assert.equal(guard(mutated), expected, JSON.stringify(mutated));
        },
      ),
      { numRuns: 500 },
    );
    assert.ok(refused > 50, `only ${refused} mutations were refused: the property would prove little`);
  });

  test(`property: ${name}: arbitrary values are refused by the guard exactly when the schema refuses them`, () => {
    fc.assert(fc.property(fc.anything(), (value) => guard(value) === schema(value)));
  });
}

test('a curve whose values are not as long as its steps is refused, though the schema cannot say so', () => {
  const short = { ...compareRun, train: { steps: [1, 2], values: [1.5] } };
  assert.equal(isCompareHostMessage({ type: 'runs', runs: [short], ids: [] }), false);
});

test("run ids: the TypeScript pattern is the schema's, and neither lets a path through", () => {
  const schema = JSON.parse(readFileSync(new URL('webview-protocol.schema.json', SCHEMAS), 'utf8')) as {
    $defs: { runId: { pattern: string } };
  };
  assert.equal(RUN_ID.source, schema.$defs.runId.pattern);
  for (const runId of ['..', '.', 'a/b', '']) assert.equal(isRunPanelState({ runId }), false, runId);
});

test('a log event without its loss is refused (the schema requires it; a diverged loss is null)', () => {
  assert.equal(isTrainerEvent({ v: 1, time, type: 'log', step: 3 }), false);
  assert.ok(isTrainerEvent({ v: 1, time, type: 'log', step: 3, loss: null }));
});

test('a report path is an absolute path to a .json file; anything else is refused', () => {
  for (const path of ['/r/a.json', '/r/a.JSON', 'C:\\r\\a.json', 'c:/r/a.json'])
    assert.ok(isReportPath(path), path);
  for (const path of ['r/a.json', '../a.json', '/r/a.json.txt', '/r/a', 'C:a.json', '', 7])
    assert.equal(isReportPath(path), false, String(path));
});

test('compareInDiff needs two different texts, from the panel and as a command argument', () => {
  for (const side of TEXT_SIDES) {
    assert.equal(
      isEvaluationPanelMessage({ type: 'compareInDiff', index: 0, left: side, right: side }),
      false,
    );
    assert.equal(isCompareInDiffArgs({ report: reportPath, index: 0, left: side, right: side }), false);
  }
});

test('the dataset view asks for at most 500 rows, and gets no more', () => {
  const lines = Array.from({ length: 501 }, (_, line) => line);
  assert.ok(isDatasetViewMessage({ type: 'rows', lines: lines.slice(1) }));
  assert.equal(isDatasetViewMessage({ type: 'rows', lines }), false);
  const rows = lines.map((line) => ({ kind: 'blank', line, findings: [] }));
  assert.ok(isDatasetHostMessage({ type: 'rows', version: 1, rows: rows.slice(1) }));
  assert.equal(isDatasetHostMessage({ type: 'rows', version: 1, rows }), false);
});

test("the dataset protocol's severities and formats are the schema's", () => {
  const schema = JSON.parse(readFileSync(new URL('dataset-protocol.schema.json', SCHEMAS), 'utf8')) as {
    $defs: { severity: { enum: string[] }; format: { enum: string[] } };
  };
  assert.deepEqual([...SEVERITIES], schema.$defs.severity.enum);
  assert.deepEqual([...FORMAT_IDS], schema.$defs.format.enum);
});
