/**
 * The installer's progress: its JSON lines checked field by field, pip's lines as short messages, and
 * a real run of src/trainer/install_trainer.py into a temp venv (offline: a wheel built here).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import {
  parseInstallerLine,
  pipMessage,
  readPins,
  runInstaller,
  type InstallerEvent,
} from '../../../src/extension/python/installer.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
const SCRIPT = join(ROOT, 'src/trainer/install_trainer.py');

test("pip's lines become short progress messages, and its noise none", () => {
  const lines: [string, string | undefined][] = [
    ['Collecting torch==2.15.0 (from -r requirements.lock (line 3))', 'Collecting torch==2.15.0'],
    [
      '  Downloading torch-2.15.0-cp311-cp311-manylinux_2_28_x86_64.whl (899.7 MB)',
      'Downloading torch-2.15.0-cp311-cp311-manylinux_2_28_x86_64.whl (899.7 MB)',
    ],
    [
      'Downloading https://files.pythonhosted.org/packages/ab/cd/peft-0.21.2-py3-none-any.whl (500 kB)',
      'Downloading peft-0.21.2-py3-none-any.whl (500 kB)',
    ],
    ['Processing /tmp/x/trainer', 'Processing trainer'],
    ['Building wheel for tunesmith-trainer (pyproject.toml): started', 'Building tunesmith-trainer'],
    ['Installing collected packages: torch, peft, trl', 'Installing 3 packages…'],
    ['Successfully installed peft-0.21.2 torch-2.15.0', 'Installed 2 packages'],
    ['Requirement already satisfied: numpy in ./venv/lib/python3.11/site-packages', undefined],
    ['  Using cached filelock-3.20.0-py3-none-any.whl.metadata (2.1 kB)', undefined],
  ];
  for (const [line, message] of lines) assert.equal(pipMessage(line), message, line);
});

test("the installer's lines are checked field by field", () => {
  assert.deepEqual(parseInstallerLine('{"type": "step", "message": "upgrading pip"}'), {
    type: 'step',
    message: 'upgrading pip',
  });
  assert.deepEqual(parseInstallerLine('{"type": "done", "python": "/v/bin/python", "seconds": 3.5}'), {
    type: 'done',
    python: '/v/bin/python',
    seconds: 3.5,
  });
  for (const bad of [
    'not json',
    '"a string"',
    '{"type": "step"}',
    '{"type": "plan", "venv": "/v", "python": "/v/bin/python", "pins": [["torch"]], "up_to_date": false}',
    '{"type": "done", "python": 1, "seconds": 0}',
    '{"type": "unknown"}',
  ])
    assert.equal(parseInstallerLine(bad), undefined, bad);
});

test('the install offer installs what the trainer runs with, not test tools (those are for a checkout)', () => {
  const pinned = (file: string) =>
    readPins(readFileSync(join(ROOT, 'src/trainer', file), 'utf8')).map(([name]) => name);
  const testTools = pinned('requirements-dev.lock');
  assert.deepEqual(testTools, ['pytest', 'pytest-timeout']);
  for (const tool of testTools) assert.equal(pinned('requirements.lock').includes(tool), false, tool);
  const setup = readFileSync(join(ROOT, 'scripts/setup-python.sh'), 'utf8');
  assert.match(setup, /--dev-requirements "\$ROOT\/src\/trainer\/requirements-dev\.lock"/);
});

test('the pins of requirements.lock are read with their versions', () => {
  assert.deepEqual(readPins('# comment\ntorch==2.15.0\n\npeft==0.21.2  # note\nnot-pinned>=1\n'), [
    ['torch', '2.15.0'],
    ['peft', '0.21.2'],
  ]);
  const lock = readPins(readFileSync(join(ROOT, 'src/trainer/requirements.lock'), 'utf8'));
  for (const name of ['torch', 'transformers', 'peft', 'trl'])
    assert.ok(
      lock.some(([pin]) => pin === name),
      name,
    );
});

/** The real interpreter behind `python3` (a pyenv shim is a shell script, which SIGTERM would not reach through). */
const python3 = (() => {
  try {
    const code = 'import sys, venv, ensurepip; print(sys.executable)';
    return execFileSync('python3', ['-c', code], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
})();
const skip = python3 ? false : 'python3 with the venv and ensurepip modules is not available';
const work = mkdtempSync(join(tmpdir(), 'tunesmith-installer-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** A wheel of a one-module package, built with the standard library: the install needs no network. */
function probeWheel(name = 'tunesmith_probe'): string {
  const code = `
import base64, hashlib, sys, zipfile
name, version = sys.argv[2], "1.0"
files = {f"{name}/__init__.py": "VALUE = 42\\n",
         f"{name}-{version}.dist-info/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n",
         f"{name}-{version}.dist-info/WHEEL": "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"}
record = []
path = f"{sys.argv[1]}/{name}-{version}-py3-none-any.whl"
with zipfile.ZipFile(path, "w") as wheel:
    for member, text in files.items():
        wheel.writestr(member, text)
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{member},sha256={digest},{len(text)}")
    wheel.writestr(f"{name}-{version}.dist-info/RECORD", "\\n".join(record + [f"{name}-{version}.dist-info/RECORD,,"]) + "\\n")
print(path)`;
  return execFileSync(python3!, ['-c', code, work, name], { encoding: 'utf8' }).trim();
}

test(
  'the installer creates a venv, reports progress and the result imports',
  { skip, timeout: 60_000 },
  async () => {
    const requirements = join(work, 'requirements.txt');
    writeFileSync(requirements, `${probeWheel()}\n`);
    const venv = join(work, 'venv');
    const args = ['--requirements', requirements, '--package', '', '--offline'];
    const events: InstallerEvent[] = [];
    const result = await runInstaller({ basePython: python3!, script: SCRIPT, venv, args }, (event) =>
      events.push(event),
    );
    assert.equal(result.status, 'done', result.message);
    const messages = events.flatMap((event) =>
      event.type === 'pip' ? [pipMessage(event.line)] : event.type === 'step' ? [event.message] : [],
    );
    assert.ok(messages.includes('creating the virtual environment'), messages.join('\n'));
    assert.ok(messages.includes('Processing tunesmith_probe-1.0-py3-none-any.whl'), messages.join('\n'));
    assert.ok(messages.includes('Installed 1 package'), messages.join('\n'));
    const value = execFileSync(
      result.python!,
      ['-c', 'import tunesmith_probe; print(tunesmith_probe.VALUE)'],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(value.trim(), '42');

    // A second run finds the stamp and installs nothing.
    const again: InstallerEvent[] = [];
    const second = await runInstaller({ basePython: python3!, script: SCRIPT, venv, args }, (event) =>
      again.push(event),
    );
    assert.equal(second.status, 'done');
    assert.deepEqual(
      again.map((event) => event.type),
      ['plan', 'done'],
    );
  },
);

test('cancelling stops the installer and leaves no half venv behind', { skip, timeout: 60_000 }, async () => {
  const requirements = join(work, 'requirements.txt');
  writeFileSync(requirements, `${probeWheel()}\n`);
  const venv = join(work, 'cancelled-venv');
  const controller = new AbortController();
  const result = await runInstaller(
    {
      basePython: python3!,
      script: SCRIPT,
      venv,
      args: ['--requirements', requirements, '--package', '', '--offline'],
    },
    (event) => {
      if (event.type === 'step' && event.message === 'creating the virtual environment') controller.abort();
    },
    controller.signal,
  );
  assert.equal(result.status, 'cancelled');
  assert.equal(existsSync(venv), false, 'the venv this run created is deleted');
});

test(
  'the dev lock is installed only when asked for, and counts in the stamp',
  { skip, timeout: 90_000 },
  async () => {
    const requirements = join(work, 'runtime.txt');
    const dev = join(work, 'dev.txt');
    writeFileSync(requirements, `${probeWheel()}\n`);
    writeFileSync(dev, `${probeWheel('tunesmith_probe_dev')}\n`);
    const venv = join(work, 'dev-venv');
    const install = async (extra: string[]) => {
      const events: InstallerEvent[] = [];
      const args = ['--requirements', requirements, '--package', '', '--offline', ...extra];
      const result = await runInstaller({ basePython: python3!, script: SCRIPT, venv, args }, (event) =>
        events.push(event),
      );
      assert.equal(result.status, 'done', result.message);
      return { python: result.python!, events };
    };
    const imports = (python: string, name: string) => {
      try {
        execFileSync(python, ['-c', `import ${name}`], { stdio: 'ignore' });
        return true;
      } catch {
        return false;
      }
    };

    const runtime = await install([]);
    assert.equal(imports(runtime.python, 'tunesmith_probe'), true);
    assert.equal(imports(runtime.python, 'tunesmith_probe_dev'), false, 'no test tools for users');

    const withDev = await install(['--dev-requirements', dev]);
    const plan = withDev.events[0];
    assert.ok(plan?.type === 'plan' && !plan.up_to_date, 'adding the dev lock is a change of pins');
    assert.equal(imports(withDev.python, 'tunesmith_probe_dev'), true);

    const again = await install(['--dev-requirements', dev]);
    assert.deepEqual(
      again.events.map((event) => event.type),
      ['plan', 'done'],
      'the stamp holds the dev lock: nothing to do',
    );
  },
);
