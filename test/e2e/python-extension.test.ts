/**
 * The trainer's interpreter from the Python extension, in the real editor. ms-python.python cannot be
 * installed here (no marketplace), so a stand-in with its id and API shape
 * (test/fixtures/python-extension-stub) is installed beside Tunesmith; its environments are two venvs
 * made for the test on top of the project venv, so each is a distinct path that can run the trainer.
 * "Check Training Environment" names the stand-in's interpreter, follows it when "Python: Select
 * Interpreter" switches it, and gives way to `tunesmith.pythonPath`. Screenshots:
 * test-results/screenshots/python-extension*.png.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { ROOT, SHOTS, runCommand, scenario, shownFrameWithText, until, type Editor } from './harness.ts';
import { PROJECT_VENV_PYTHON } from '../../src/extension/python/choose.ts';

const STUB = join(ROOT, 'test/fixtures/python-extension-stub');
const CHECK = 'Tunesmith: Check Training Environment';
let envs: string;
let envA: string;
let envB: string;
let editor: Editor;
let page: Page;

const python = (executable: string, code: string): string =>
  execFileSync(executable, ['-c', code], { encoding: 'utf8' }).trim();

/** A venv of its own whose site-packages reach the project venv's (a .pth), so it runs the trainer. */
function venvOnProject(dir: string): string {
  const base = python(PROJECT_VENV_PYTHON, 'import sys; print(sys._base_executable)');
  const sitePackages = 'import sysconfig; print(sysconfig.get_paths()["purelib"])';
  execFileSync(base, ['-m', 'venv', '--without-pip', dir]);
  const executable = join(dir, 'bin/python');
  writeFileSync(
    join(python(executable, sitePackages), 'tunesmith-project-venv.pth'),
    `import site; site.addsitedir(${JSON.stringify(python(PROJECT_VENV_PYTHON, sitePackages))})\n`,
  );
  return executable;
}

function writeSettings(settings: Record<string, unknown>): void {
  mkdirSync(join(editor.workspace, '.vscode'), { recursive: true });
  writeFileSync(join(editor.workspace, '.vscode/settings.json'), JSON.stringify(settings, null, 2));
}

// Registered before the scenario's hooks, so the venvs exist before the editor starts and go after it stops.
before(() => {
  envs = mkdtempSync(join(tmpdir(), 'tunesmith-pyext-'));
  envA = venvOnProject(join(envs, 'env-a'));
  envB = venvOnProject(join(envs, 'env-b'));
});

scenario('python-extension', {
  extensions: [STUB],
  prepare: (started) => {
    editor = started; // writeSettings writes into this editor's workspace.
    writeSettings({ 'python.defaultInterpreterPath': envA, 'pythonStub.environments': [envA, envB] });
  },
  ready: (scene) => ({ editor, page } = scene),
});

after(() => {
  if (envs) rmSync(envs, { recursive: true, force: true });
});

const palette = (command: string): Promise<void> => runCommand(page, command);

/** The report's text in its Markdown preview, once shown. */
async function reportText(): Promise<string | undefined> {
  const frame = await shownFrameWithText(page, 'Tunesmith training environment');
  return frame?.evaluate(() => document.body.innerText);
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * Runs the check until its report names `python` from `source`, and returns the report. A run that
 * raced the change it waits for (a settings file the editor has not read yet) is run again; a cache
 * that is never invalidated keeps naming the old interpreter, and the wait times out.
 */
async function checkUntil(python: string, source: string): Promise<string> {
  const expected = new RegExp(`Interpreter: ${escape(python)}, from ${escape(source)}\\.`);
  return until(
    `the report to name ${python} from ${source}`,
    async () => {
      await palette(CHECK);
      return until(
        'that report',
        async () => {
          const text = await reportText();
          return text && expected.test(text) ? text : undefined;
        },
        15_000,
      );
    },
    60_000,
  );
}

async function toastWith(text: string): Promise<string> {
  return until(`a notification with "${text}"`, async () => {
    const messages = await page
      .locator('.notifications-toasts .notification-list-item-message')
      .allInnerTexts();
    return messages.find((message) => message.includes(text));
  });
}

test("the trainer runs with the Python extension's interpreter, follows its switch, and the setting wins", async () => {
  const fromExtension = "the Python extension's selected interpreter";
  let report = await checkUntil(envA, fromExtension);
  // The doctor ran in that venv: its sys.executable is the venv's own python.
  assert.match(report, new RegExp(`Python: 3\\.\\d+\\.\\d+ \\(${escape(envA)}\\)`));
  assert.match(report, /torch\s+2\.\d+/);
  assert.match(await toastWith('(Python extension)'), /^Python 3\.\d+\.\d+ \(Python extension\) · torch \d/);

  // Switched in the Python extension: its onDidChangeActiveEnvironmentPath drops the cached choice.
  await palette('Python: Select Interpreter');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: envB }).first().click();
  report = await checkUntil(envB, fromExtension);
  assert.match(report, new RegExp(`Python: 3\\.\\d+\\.\\d+ \\(${escape(envB)}\\)`));
  await page.screenshot({ path: join(SHOTS, 'python-extension.png') });

  // An explicit setting wins over the Python extension's choice.
  writeSettings({
    'python.defaultInterpreterPath': envA,
    'pythonStub.environments': [envA, envB],
    'tunesmith.pythonPath': envA,
  });
  report = await checkUntil(envA, 'the tunesmith.pythonPath setting');
  assert.match(report, new RegExp(`Python: 3\\.\\d+\\.\\d+ \\(${escape(envA)}\\)`));
  assert.match(
    await toastWith('(tunesmith.pythonPath)'),
    /^Python 3\.\d+\.\d+ \(tunesmith\.pythonPath\) · torch/,
  );
  await page.screenshot({ path: join(SHOTS, 'python-extension-setting.png') });
});
