import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DoctorReport } from '../../../src/extension/python/interpreter.ts';
import { classifyFailure, markdown, ready, summary } from '../../../src/extension/python/report.ts';

const cpu: DoctorReport = {
  python: { version: '3.11.7', executable: '/v/bin/python' },
  platform: 'Linux-6.1-x86_64',
  packages: { torch: '2.15.0', transformers: '5.23.0', peft: '0.21.2', trl: '1.16.0', bitsandbytes: null },
  cuda: { available: false, version: null, gpus: [] },
  problems: [
    'qlora is unavailable: QLoRA needs the bitsandbytes package, which is not installed. pip install bitsandbytes',
  ],
};
const interpreter = { python: '/v/bin/python', source: 'project-venv' as const };

test('a CPU-only machine reads as such, with the Python version and where it came from', () => {
  const env = { interpreter, report: cpu };
  assert.equal(ready(env), true);
  assert.equal(
    summary(env),
    "Python 3.11.7 (Tunesmith's venv) · torch 2.15.0 · no CUDA GPU: training runs on the CPU",
  );
  const text = markdown(env);
  assert.match(text, /from Tunesmith's own virtual environment/);
  assert.match(text, /- no CUDA GPU: training runs on the CPU/);
  assert.match(text, /\| bitsandbytes \| \*\*not installed\*\* \|/);
  assert.match(text, /- qlora is unavailable: QLoRA needs the bitsandbytes package/);
});

test('each GPU is listed with its name and memory', () => {
  const gpu = {
    index: 0,
    name: 'NVIDIA H100 80GB HBM3',
    memory_bytes: 80 * 1024 ** 3,
    free_bytes: 79 * 1024 ** 3,
    capability: '9.0',
    bf16: true,
  };
  const report = { ...cpu, cuda: { available: true, version: '13.0', gpus: [gpu] }, problems: [] };
  const env = { interpreter, report };
  assert.match(summary(env), /NVIDIA H100 80GB HBM3 \(80\.0 GiB\)$/);
  assert.match(
    markdown(env),
    /GPU 0: NVIDIA H100 80GB HBM3, 80\.0 GiB \(79\.0 GiB free\), compute 9\.0, bf16/,
  );
  assert.match(markdown(env), /## Problems\n\nNone\./);
});

test('a missing package makes the environment not ready, and says so', () => {
  const env = { interpreter, report: { ...cpu, packages: { ...cpu.packages, peft: null, trl: null } } };
  assert.equal(ready(env), false);
  assert.match(summary(env), /missing peft, trl/);
  assert.match(markdown(env), /Missing peft, trl: the trainer cannot run/);
});

test('a failed doctor run says whether the interpreter or the trainer is missing', () => {
  assert.equal(classifyFailure('spawn /nope/python ENOENT').kind, 'no-interpreter');
  assert.equal(classifyFailure('/usr/bin/python3: No module named tunesmith_trainer').kind, 'no-trainer');
  const env = {
    interpreter,
    problem: classifyFailure('/usr/bin/python3: No module named tunesmith_trainer'),
  };
  assert.equal(ready(env), false);
  assert.equal(summary(env), 'The Tunesmith trainer is not installed for /v/bin/python.');
  // A path with backticks cannot break out of its code span.
  const odd = markdown({ interpreter: { python: '/a`b/python', source: 'setting' }, problem: env.problem });
  assert.match(odd, /``\s\/a`b\/python\s``/);
});
