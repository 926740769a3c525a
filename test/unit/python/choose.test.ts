import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseInterpreter, expandSetting } from '../../../src/extension/python/choose.ts';

const venv = '/home/u/.cache/tunesmith/venv/bin/python';

test('the setting wins over the Python extension and the project venv', () => {
  assert.deepEqual(
    chooseInterpreter({
      setting: '/opt/py/bin/python',
      pythonExtension: '/usr/bin/python3',
      projectVenv: venv,
    }),
    { python: '/opt/py/bin/python', source: 'setting' },
  );
});

test("the Python extension's interpreter is used when the setting is empty", () => {
  assert.deepEqual(
    chooseInterpreter({ setting: '', pythonExtension: '/ws/.venv/bin/python', projectVenv: venv }),
    {
      python: '/ws/.venv/bin/python',
      source: 'python-extension',
    },
  );
});

test('the project venv is the last resort', () => {
  assert.deepEqual(chooseInterpreter({ setting: '', pythonExtension: undefined, projectVenv: venv }), {
    python: venv,
    source: 'project-venv',
  });
});

test('the setting expands ~, ${workspaceFolder} and paths relative to the workspace', () => {
  assert.equal(expandSetting(' ~/py/bin/python ', '/home/u', '/ws'), '/home/u/py/bin/python');
  assert.equal(
    expandSetting('${workspaceFolder}/.venv/bin/python', '/home/u', '/ws'),
    '/ws/.venv/bin/python',
  );
  assert.equal(expandSetting('.venv/bin/python', '/home/u', '/ws'), '/ws/.venv/bin/python');
  // A bare command name is looked up on PATH, like `python3`.
  assert.equal(expandSetting('python3', '/home/u', '/ws'), 'python3');
  assert.equal(expandSetting('', '/home/u', '/ws'), '');
});
