/** The "New fine-tuning run" form in Chromium against a stub host, under the CSP it ships with. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { DatasetFile } from '../../src/shared/new-run-protocol.ts';
import { until } from '../e2e/harness.ts';
import { post, startHost, type Host } from './host.ts';

let host: Host;
before(async () => {
  host = await startHost();
});
after(async () => {
  await host?.close();
});

const TRAIN = 'file:///ws/task/train.jsonl';
const VALIDATION = 'file:///ws/task/validation.jsonl';
const RUN = {
  dir: '/ws/.tunesmith/runs/r1',
  command: [
    '/venv/bin/python',
    '-m',
    'tunesmith_trainer',
    'train',
    '--config',
    '/ws/.tunesmith/runs/r1/config.json',
  ],
};
const init = (
  datasets: DatasetFile[] = [
    { uri: TRAIN, path: '/ws/task/train.jsonl', label: 'task/train.jsonl', run: RUN },
    { uri: VALIDATION, path: '/ws/task/validation.jsonl', label: 'task/validation.jsonl', run: RUN },
  ],
) => ({
  type: 'init',
  runDir: RUN.dir,
  command: RUN.command,
  models: [
    {
      path: '/ws/models/tiny',
      name: 'tiny',
      problems: [],
      sizeBytes: 320_000,
      architecture: 'LlamaForCausalLM',
      parameters: 79_296,
      layers: 2,
      hiddenSize: 64,
      contextLength: 256,
      weights: 'model.safetensors',
    },
  ],
  datasets,
});
const env = { type: 'env', env: { python: '/venv/bin/python', torch: '2.9.0' } };
const summary = (uri: string, errors = 0) => ({
  type: 'summary',
  summary: {
    uri,
    examples: 400,
    format: 'OpenAI chat (messages)',
    errors,
    warnings: 0,
    ...(errors > 0
      ? {
          firstError: {
            line: 7,
            code: 'format/drift',
            message: 'Line uses plain text but 399 of 400 lines use chat.',
          },
        }
      : {}),
  },
});
const posted = (page: Page) => page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted);
const text = async (page: Page, selector: string) =>
  (await page.locator(selector).first().textContent()) ?? '';
const launchDisabled = (page: Page) =>
  page.evaluate(() => (document.getElementById('launch') as HTMLElement & { disabled: boolean }).disabled);
const field = (page: Page, path: string) => page.locator(`[id="f-${path}"] input`);
const errorOf = (page: Page, path: string) => text(page, `[data-error="${path}"]`);

async function openForm(errors = 0): Promise<Page> {
  const page = await host.open('/new-run');
  await post(page, init());
  await post(page, env);
  await post(page, summary(TRAIN, errors));
  await post(page, summary(VALIDATION));
  return page;
}

test('the form opens ready to launch: model, datasets, environment, preview; QLoRA off without a GPU', async () => {
  const page = await openForm();
  assert.equal(await launchDisabled(page), false, await text(page, '#launch-reason'));
  assert.match(await text(page, '#model-info'), /LlamaForCausalLM · 79,296 parameters · 2 layers/);
  assert.match(await text(page, '#env'), /torch 2\.9\.0 · no CUDA GPU — runs on the CPU/);
  assert.match(await text(page, '#train-summary'), /400 examples · OpenAI chat \(messages\) · 0 errors/);
  assert.match(await text(page, '#command'), /^\/venv\/bin\/python -m tunesmith_trainer train --config \/ws/);
  const config = JSON.parse(await text(page, '#config')) as {
    data: object;
    training: { batch_size: number };
  };
  assert.deepEqual(config.data, {
    train: '/ws/task/train.jsonl',
    validation: '/ws/task/validation.jsonl',
    max_length: 32,
  });
  assert.equal(config.training.batch_size, 16, 'the tiny model gets the Tiny demo preset');
  const qlora = page.locator('#method vscode-option[value="qlora"]');
  assert.equal(await qlora.getAttribute('disabled'), '');
  assert.match((await qlora.textContent())!, /needs a CUDA GPU/);
  const shots = 'test-results/screenshots/webview-new-run.png';
  await page.screenshot({ path: shots, fullPage: true });
  assert.deepEqual(
    await page.evaluate(() => (window as unknown as { __violations: string[] }).__violations),
    [],
    'the form and its vscode-elements render under the CSP without violations',
  );
  await page.close();
});

test('picking a dataset and a method by clicking, as a user does, changes the config', async () => {
  const page = await openForm();
  await page.locator('#validation').click();
  await page.locator('#validation li', { hasText: /^\s*None\s*$/ }).click();
  await page.locator('#method').click();
  await page.locator('#method li', { hasText: /^\s*Partial/ }).click();
  await until(
    'the config without validation',
    async () => !(await text(page, '#config')).includes('validation'),
  );
  assert.equal(await page.locator('#split-row').isVisible(), true, 'the split offer shows');
  const config = JSON.parse(await text(page, '#config')) as { method: object };
  assert.deepEqual(config.method, { type: 'partial', partial: { layers: 2 } });
  assert.equal(await page.locator('[id="f-method.lora.r"]').isVisible(), false);
  await page.locator('#split').click();
  assert.deepEqual((await posted(page)).at(-1), { type: 'split', uri: TRAIN });
  await page.close();
});

test('an invalid value shows its field error and disables Launch; fixing it enables Launch', async () => {
  const page = await openForm();
  await field(page, 'method.lora.r').fill('0');
  await until('the r error', async () => (await errorOf(page, 'method.lora.r')) === 'must be at least 1');
  assert.equal(await launchDisabled(page), true);
  assert.equal(await text(page, '#launch-reason'), 'Fix the field marked in red.');
  await field(page, 'training.learning_rate').fill('abc');
  await until(
    'the lr error',
    async () => (await errorOf(page, 'training.learning_rate')) === 'must be a number',
  );
  assert.equal(await text(page, '#launch-reason'), 'Fix the 2 fields marked in red.');
  await field(page, 'method.lora.r').fill('8');
  await field(page, 'training.learning_rate').fill('1e-4');
  await until('Launch enabled', async () => !(await launchDisabled(page)));
  assert.equal(await errorOf(page, 'method.lora.r'), '');
  const config = JSON.parse(await text(page, '#config')) as { method: { lora: { r: number } } };
  assert.equal(config.method.lora.r, 8);
  await page.locator('#launch').click();
  const launch = (await posted(page)).find((m) => (m as { type: string }).type === 'launch') as {
    config: { training: { learning_rate: number } };
    override: boolean;
  };
  assert.equal(launch.config.training.learning_rate, 1e-4);
  assert.equal(launch.override, false);
  await page.close();
});

test('a dataset with errors blocks Launch until the explicit override is ticked', async () => {
  const page = await openForm(3);
  assert.equal(await launchDisabled(page), true);
  // The reason names the first error, the one the trainer would refuse the file for.
  assert.equal(
    await text(page, '#launch-reason'),
    'train.jsonl has errors (train.jsonl:7: Line uses plain text but 399 of 400 lines use chat. (format/drift)): ' +
      'fix them, or tick "Launch anyway".',
  );
  assert.equal(await text(page, '#override'), 'Launch anyway with 3 errors in train.jsonl');
  await page.locator('#override').click();
  await until('Launch enabled', async () => !(await launchDisabled(page)));
  await page.locator('#launch').click();
  const launch = (await posted(page)).find((m) => (m as { type: string }).type === 'launch');
  assert.equal((launch as { override: boolean }).override, true);
  await page.close();
});

test('a "does not fit" estimate shows its suggestions; a stale estimate is ignored', async () => {
  const page = await openForm();
  const request = await until('an estimate request', async () =>
    (await posted(page)).find((m) => (m as { type: string }).type === 'estimate'),
  );
  const seq = (request as { seq: number }).seq;
  await post(page, {
    type: 'estimate',
    seq: seq - 1,
    estimate: { device: 'old', fits: true, totalBytes: 1, freeBytes: 2, suggestions: [] },
  });
  assert.equal(await text(page, '#estimate'), 'Estimating…');
  await post(page, {
    type: 'estimate',
    seq,
    estimate: {
      device: 'NVIDIA RTX 4090',
      fits: false,
      totalBytes: 30 * 1024 ** 3,
      freeBytes: 22 * 1024 ** 3,
      suggestions: [
        { change: 'set training.gradient_checkpointing to true', totalBytes: 18 * 1024 ** 3, fits: true },
      ],
    },
  });
  assert.equal(
    await text(page, '#estimate'),
    'Does not fit on NVIDIA RTX 4090: needs about 30.0 GiB, 22.0 GiB free.',
  );
  assert.equal(
    await text(page, '#suggestions'),
    'set training.gradient_checkpointing to true: about 18.0 GiB (fits)',
  );
  await page.close();
});

test('a change undone before the estimate delay sends no estimate of the undone config', async () => {
  const page = await openForm();
  const estimates = async () =>
    (await posted(page)).filter((m) => (m as { type: string }).type === 'estimate');
  await until('the first estimate request', async () => (await estimates()).length === 1);
  await page.clock.install();
  const rank = field(page, 'method.lora.r');
  const original = await rank.inputValue();
  await rank.fill('3');
  await rank.fill(original);
  await page.clock.runFor(5_000);
  assert.equal((await estimates()).length, 1, 'the form holds the config already estimated');
  await page.close();
});

test('trust granted while the form is open: launch allowed, environment checked, what was filled in kept', async () => {
  const blocked = 'Launching training runs needs a trusted workspace.';
  const page = await host.open('/new-run');
  await post(page, { ...init(), blocked });
  await post(page, summary(TRAIN));
  await post(page, summary(VALIDATION));
  assert.equal(await text(page, '#launch-reason'), blocked);
  assert.match(await text(page, '#env'), /checked once the workspace is trusted/);
  assert.equal(await text(page, '#estimate'), 'The memory estimate runs once the workspace is trusted.');
  await field(page, 'method.lora.r').fill('4');
  await page.locator('#validation').click();
  await page.locator('#validation li', { hasText: /^\s*None\s*$/ }).click();
  await until('the edits in the config', async () => !(await text(page, '#config')).includes('validation'));

  const estimates = async () =>
    (await posted(page)).filter((m) => (m as { type: string }).type === 'estimate').length;
  assert.equal(await estimates(), 0, 'no estimate (it runs Python) while untrusted');
  // As the host does: the form's command, then each training file's run, now with the workspace's interpreter.
  const trustedRun = { ...RUN, command: ['/ws/.venv/bin/python', ...RUN.command.slice(1)] };
  await post(page, { type: 'trusted', command: trustedRun.command });
  assert.equal(await text(page, '#env'), 'Checking the Python environment…');
  assert.equal(await text(page, '#launch-reason'), 'Checking the Python environment…');
  await post(page, {
    type: 'datasets',
    datasets: init().datasets.map((file) => ({ ...file, run: trustedRun })),
  });
  assert.match(
    await text(page, '#command'),
    /^\/ws\/\.venv\/bin\/python -m tunesmith_trainer train --config /,
  );
  assert.equal(await text(page, '#estimate'), 'Fill in the form to see whether the run fits.');
  await post(page, env);
  assert.equal(await launchDisabled(page), false, await text(page, '#launch-reason'));
  assert.match(await text(page, '#env'), /torch 2\.9\.0/);
  const config = JSON.parse(await text(page, '#config')) as { data: object; method: { lora: { r: number } } };
  assert.equal(config.method.lora.r, 4, 'the edited field is kept');
  assert.equal('validation' in config.data, false, 'the dataset choice is kept');
  const request = await until('an estimate request', async () =>
    (await posted(page)).find((m) => (m as { type: string }).type === 'estimate'),
  );
  assert.equal((request as { config: typeof config }).config.method.lora.r, 4);
  await page.close();
});

test('in a multi-root workspace the run goes to the folder of the chosen training file', async () => {
  const page = await host.open('/new-run');
  const second = 'file:///other/train.jsonl';
  const run = {
    dir: '/other/.tunesmith/runs/r1',
    command: [
      '/venv/bin/python',
      '-m',
      'tunesmith_trainer',
      'train',
      '--config',
      '/other/.tunesmith/runs/r1/config.json',
    ],
  };
  const [train, validation] = init().datasets;
  // Nested folders (or none) hold the first file: the host sends no run, Launch asks.
  const ambiguous = { uri: train!.uri, path: train!.path, label: train!.label };
  await post(
    page,
    init([
      ambiguous,
      validation!,
      { uri: second, path: '/other/train.jsonl', label: 'other/train.jsonl', run },
    ]),
  );
  await post(page, env);
  assert.match(await text(page, '#command'), /--config \/ws\/\.tunesmith\/runs\/r1\/config\.json$/);
  assert.match(await text(page, '#target-note'), /Launch asks which folder gets the run/);
  await page.locator('#train').click();
  await page.locator('#train li', { hasText: /^\s*other\/train\.jsonl\s*$/ }).click();
  await until("the other folder's command", async () => (await text(page, '#command')).includes('/other/'));
  assert.match(await text(page, '#command'), /--config \/other\/\.tunesmith\/runs\/r1\/config\.json$/);
  assert.equal(await text(page, '#target-note'), '', 'one folder holds this file: nothing to ask');
  const config = JSON.parse(await text(page, '#config')) as { output: { dir: string } };
  assert.equal(config.output.dir, run.dir);
  await page.close();
});

test('names and messages that hold markup render as text, nothing runs; unknown messages are dropped', async () => {
  const payload = '<img src=x onerror=window.__pwned=1>';
  const closing = '</script><script>window.__pwned=2</script>';
  const page = await host.open('/new-run');
  const evil = `file:///ws/${encodeURIComponent(payload)}train.jsonl`;
  await post(
    page,
    init([{ uri: evil, path: `/ws/${payload}train.jsonl`, label: `${payload}${closing}train.jsonl` }]),
  );
  await post(page, env);
  await post(page, { type: 'summary', summary: { uri: evil, error: `cannot read ${payload}${closing}` } });
  await post(page, {
    type: 'model',
    model: {
      path: `/ws/${payload}`,
      name: closing,
      problems: [`No weights ${payload}`],
      sizeBytes: 1,
      architecture: closing,
    },
  });
  await post(page, { type: 'error', message: `failed ${payload}${closing}` });
  assert.match(await text(page, '#model-problems'), /No weights <img src=x onerror=/);
  assert.match(await text(page, '#model-info'), /<\/script><script>/);
  assert.equal(await text(page, '#message'), `failed ${payload}${closing}`);
  const before = await posted(page);
  await post(page, { type: 'init', runDir: 5, command: [], models: [], datasets: [] });
  await post(page, { type: 'summary', summary: { uri: evil, examples: 'many' } });
  await post(page, { type: 'launch-now' });
  assert.equal(await text(page, '#message'), `failed ${payload}${closing}`, 'state unchanged');
  assert.deepEqual(await posted(page), before);
  // A string, not a function: tsx adds a helper (__name) to named inner functions that the page lacks.
  const images = await page.evaluate<number>(`(() => {
    let count = 0;
    const walk = (root) => {
      count += root.querySelectorAll('img').length;
      for (const node of root.querySelectorAll('*')) if (node.shadowRoot) walk(node.shadowRoot);
    };
    walk(document);
    return count;
  })()`);
  assert.equal(images, 0, 'no element was created from the payloads, shadow roots included');
  assert.equal(await page.locator('body > script').count(), 1, 'only the form script');
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  await page.close();
});
