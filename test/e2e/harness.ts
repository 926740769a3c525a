/**
 * A real VS Code (code-server 4.139.1, VS Code 1.139.1) with the packaged extension installed: what
 * `npm start` shows and the e2e tests drive (each test file through `scenario`). Setup, packaging and
 * installation are cached under $XDG_CACHE_HOME/tunesmith/e2e (~/.cache by default) and keyed by what
 * they depend on, so a second start costs only the server's own start.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { after, before } from 'node:test';
import { constants, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { Browser, Frame, Locator, Page } from 'playwright-core';
import { launchChromium } from '../browser.ts';

export const ROOT = resolve(import.meta.dirname, '../..');

interface Setup {
  node: string;
  codeServer: string;
  cache: string;
}

function log(message: string): void {
  process.stderr.write(`[e2e] ${message}\n`);
}

/** Node 24, code-server and Chromium (scripts/setup-e2e.sh, idempotent). */
export function setup(): Setup {
  const out = execFileSync('bash', [join(ROOT, 'scripts/setup-e2e.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const vars = Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((line) => line.split('=', 2) as [string, string]),
  );
  return { node: vars['E2E_NODE']!, codeServer: vars['E2E_CODE_SERVER']!, cache: vars['E2E_CACHE']! };
}

function hashFiles(paths: string[]): string {
  const hash = createHash('sha256');
  for (const path of paths) hash.update(path).update(existsSync(path) ? readFileSync(path) : '');
  return hash.digest('hex').slice(0, 16);
}

const VSCE = join(ROOT, 'node_modules/@vscode/vsce/vsce');

/** Exactly the files the VSIX holds (`vsce ls`), so a change to any of them repackages it. */
function packagedFiles(): string[] {
  const listing = execFileSync(process.execPath, [VSCE, 'ls', '--no-dependencies'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return listing.split('\n').filter(Boolean).sort();
}

/** Builds the bundles, packages the VSIX and installs it into the cached extensions folder. */
export function installExtension(env: Setup): { extensionsDir: string } {
  execFileSync(process.execPath, [join(ROOT, 'esbuild.mjs')], { cwd: ROOT, stdio: 'inherit' });
  const key = hashFiles(packagedFiles().map((path) => join(ROOT, path)));
  const extensionsDir = join(env.cache, 'extensions');
  const stamp = join(env.cache, 'extension.stamp');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === key) return { extensionsDir };
  const vsix = join(env.cache, 'tunesmith.vsix');
  log('packaging the extension…');
  // A platform-specific VSIX: it carries onnxruntime's binaries for this machine only (esbuild.mjs
  // copies them into dist/ for the same target).
  const target = process.env['TUNESMITH_TARGET'] || `${process.platform}-${process.arch}`;
  execFileSync(
    process.execPath,
    [
      VSCE,
      'package',
      '--no-dependencies',
      '--allow-missing-repository',
      '--skip-license',
      '--target',
      target,
      '-o',
      vsix,
    ],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  rmSync(extensionsDir, { recursive: true, force: true });
  execFileSync(
    env.node,
    [
      env.codeServer,
      '--user-data-dir',
      join(env.cache, 'install-user-data'),
      '--extensions-dir',
      extensionsDir,
      '--install-extension',
      vsix,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  // Renamed into place rather than written over: a cache copied with hard links (cp -al) shares the
  // stamp's inode with other caches, and an in-place write would change theirs too.
  writeFileSync(`${stamp}.tmp`, key);
  renameSync(`${stamp}.tmp`, stamp);
  return { extensionsDir };
}

/**
 * A private extensions folder holding Tunesmith and the unpacked extensions in `folders` (test
 * stand-ins), so the cached folder the other tests share stays as it is.
 */
function extensionsWith(env: Setup, session: string, folders: string[]): string {
  const vsixes = [join(env.cache, 'tunesmith.vsix')];
  for (const folder of folders) {
    const vsix = join(session, `${basename(folder)}.vsix`);
    execFileSync(
      process.execPath,
      [VSCE, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '-o', vsix],
      { cwd: folder, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    vsixes.push(vsix);
  }
  const extensionsDir = join(session, 'extensions');
  execFileSync(
    env.node,
    [
      env.codeServer,
      '--user-data-dir',
      join(session, 'install-user-data'),
      '--extensions-dir',
      extensionsDir,
      ...vsixes.flatMap((vsix) => ['--install-extension', vsix]),
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return extensionsDir;
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface Editor {
  url: string;
  workspace: string;
  /** The server's own log, for diagnosing a failed scenario. */
  logFile: string;
  /** PIDs of this editor's Tunesmith language servers (a process of ours: the tests may kill it). */
  serverPids(): number[];
  /** Command lines of this editor's processes (its process group: the extension host's children too). */
  processes(): string[][];
  stop(): void;
}

/**
 * Binds ctrl+alt+e to "show this evaluation report": the command takes the report's path as its
 * argument, which the palette cannot pass. Written into the user settings folder code-server started with.
 */
export function bindShowEvaluation(editor: Editor, reportPath: string): void {
  writeFileSync(
    join(editor.logFile, '..', 'user-data/User/keybindings.json'),
    JSON.stringify([{ key: 'ctrl+alt+e', command: 'tunesmith.evaluation.show', args: reportPath }]),
  );
}

/** Presses the `bindShowEvaluation` key until the evaluation's tab is open. */
export async function showEvaluationByKey(page: Page, tabText: string, timeoutMs: number): Promise<void> {
  // The extension may still be activating, and the key binding file is read once it is there.
  await until(
    'the panel opened by the key binding',
    async () => {
      await page.locator('.monaco-workbench').click({ position: { x: 800, y: 500 } });
      await page.keyboard.press('Control+Alt+E');
      return page
        .locator('.tab', { hasText: tabText })
        .waitFor({ timeout: 3000 })
        .then(() => true)
        .catch(() => false);
    },
    timeoutMs,
  );
}

/** Poll until `check` resolves truthy; `what` names the wait in the timeout error. */
type Falsy = undefined | null | false | '' | 0;

/**
 * How long `until` waits: a fixed bound for what the editor does at once, or, for what a trainer or a
 * panel works through, as long as a signal of its progress keeps changing (a loaded CI machine runs
 * them many times slower, and a fixed wall-clock bound then fails a run that is only slow).
 */
export interface Patience {
  /**
   * The bound in all: 30 s by default; 9 minutes with `progress`, under the suite's 10 minutes a test
   * (scripts/e2e.sh), so a run that is slow but alive fails naming the wait and its last progress.
   */
  timeoutMs?: number;
  /**
   * What shows the awaited thing on its way (the size of the files a run writes, a panel's state text);
   * compared as JSON. While it changes the wait goes on; unchanged for `stallMs`, the wait fails.
   */
  progress?: () => unknown;
  /** With `progress`: how long it may stay unchanged (default 3 minutes). */
  stallMs?: number;
}

export async function until<T>(
  what: string,
  check: () => Promise<T | Falsy> | T | Falsy,
  patience: number | Patience = {},
): Promise<T> {
  const {
    progress,
    stallMs = 180_000,
    timeoutMs = progress ? 540_000 : 30_000,
  } = typeof patience === 'number' ? { timeoutMs: patience } : patience;
  const start = Date.now();
  let last: unknown;
  let signal: string | undefined;
  let changed = start;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as T;
    } catch (error) {
      last = error;
    }
    const now = Date.now();
    if (progress) {
      const current = JSON.stringify(await progress());
      if (current !== signal) [signal, changed] = [current, now];
    }
    const stalled = progress !== undefined && now - changed > stallMs;
    if (now - start > timeoutMs || stalled) {
      const why = stalled
        ? ` (no progress for ${Math.round((now - changed) / 1000)} s; last ${signal})`
        : progress
          ? ` (still progressing after ${Math.round((now - start) / 1000)} s; last ${signal})`
          : '';
      throw new Error(`timed out waiting for ${what}${why}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The progress of a run (or an evaluation) as its trainer writes it: the number and total size of the
 * files under its folder (events, logs, checkpoints, reports). Grows with every step, checkpoint and
 * evaluated batch, and stays put while the trainer is stopped or hung.
 */
export function runDirProgress(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const walk = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      try {
        if (entry.isDirectory()) walk(path);
        else if (entry.isFile()) [files, bytes] = [files + 1, bytes + statSync(path).size];
      } catch {
        // Renamed or deleted meanwhile (a checkpoint rotated, a report renamed into place).
      }
    }
  };
  if (existsSync(dir)) walk(dir);
  return { files, bytes };
}

export interface StartOptions {
  workspace?: string;
  port?: number;
  extensions?: string[];
  untrusted?: boolean;
  /** The editor's log level, every output channel's too (the benchmark reads the extension's debug lines). */
  log?: 'debug';
  /** Environment variables of the editor (and so of the extension and its server) on top of ours. */
  env?: Record<string, string>;
}

/**
 * Starts code-server on a free port in its own process group (killing only its PID would leave the
 * extension host and language server running), on `workspace` or a fresh copy of demo/, with the
 * unpacked extensions in `extensions` installed beside Tunesmith. `workspace` may be a folder or a
 * `.code-workspace` file (a multi-root workspace). Workspace trust is off unless
 * `untrusted`: then the folder opens in Restricted Mode, as a folder the user never trusted does.
 */
export async function startEditor(options: StartOptions = {}): Promise<Editor> {
  const env = setup();
  const installed = installExtension(env).extensionsDir;
  const session = mkdtempSync(join(tmpdir(), 'tunesmith-e2e-'));
  const extensionsDir = options.extensions ? extensionsWith(env, session, options.extensions) : installed;
  const workspace = options.workspace ?? join(session, 'demo');
  if (!options.workspace) cpSync(join(ROOT, 'demo'), workspace, { recursive: true });
  const userData = join(session, 'user-data');
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(
    join(userData, 'User/settings.json'),
    JSON.stringify({
      'workbench.startupEditor': 'none',
      'security.workspace.trust.enabled': options.untrusted === true,
      // Restricted Mode without the startup dialog: the same state as answering "Don't Trust".
      'security.workspace.trust.startupPrompt': 'never',
      'workbench.tips.enabled': false,
      'extensions.ignoreRecommendations': true,
      'telemetry.telemetryLevel': 'off',
      'files.autoSave': 'off',
      'chat.disableAIFeatures': true,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
    }),
  );
  // Always pass --config: without it code-server writes ~/.config/code-server/config.yaml with a password.
  const config = join(session, 'config.yaml');
  writeFileSync(config, 'auth: none\n');
  const port = options.port ?? (await freePort());
  const logFile = join(session, 'code-server.log');
  const child: ChildProcess = spawn(
    env.node,
    [
      env.codeServer,
      '--config',
      config,
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      ...(options.untrusted ? [] : ['--disable-workspace-trust']),
      ...(options.log ? ['--log', options.log] : []),
      '--user-data-dir',
      userData,
      '--extensions-dir',
      extensionsDir,
      workspace,
    ],
    { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } },
  );
  let output = '';
  const collect = (chunk: Buffer): void => {
    output += chunk.toString();
    writeFileSync(logFile, output);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const stop = (): void => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  // A .code-workspace file opens as a (multi-root) workspace, the way code-server opens its last argument.
  const query = workspace.endsWith('.code-workspace') ? 'workspace' : 'folder';
  const url = `http://127.0.0.1:${port}/?${query}=${encodeURIComponent(workspace)}`;
  await until('code-server /healthz', async () => {
    if (child.exitCode !== null) throw new Error(`code-server exited: ${output}`);
    const response = await fetch(`http://127.0.0.1:${port}/healthz`);
    return response.ok;
  });
  const serverPids = (): number[] =>
    readdirSync('/proc').flatMap((entry) => {
      if (!/^\d+$/.test(entry)) return [];
      try {
        const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
        return cmdline.includes(extensionsDir) && cmdline.includes('dist/server.cjs') ? [Number(entry)] : [];
      } catch {
        return []; // exited meanwhile
      }
    });
  const processes = (): string[][] =>
    readdirSync('/proc').flatMap((entry) => {
      if (!/^\d+$/.test(entry)) return [];
      try {
        // stat: "pid (comm) state ppid pgrp …"; comm may hold spaces and parentheses, so split after the last ')'.
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
        if (pgrp !== child.pid) return [];
        return [readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean)];
      } catch {
        return []; // exited meanwhile
      }
    });
  return { url, workspace, logFile, serverPids, processes, stop };
}

/** Chromium on the editor's URL, once the workbench is there. */
export async function openWorkbench(url: string): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  return { browser, page };
}

/** Where every e2e scenario saves its screenshots (git-ignored). */
export const SHOTS = join(ROOT, 'test-results/screenshots');

/** What a scenario's tests drive: the started editor and the browser page on it. */
export interface Scene {
  editor: Editor;
  page: Page;
}

export interface ScenarioOptions extends StartOptions {
  /** Receives the started scene, for the test file's own `editor` and `page`. */
  ready: (scene: Scene) => void;
  /**
   * Runs on the started editor before the browser connects, so before the extension activates: files
   * and settings it reads at start-up.
   */
  prepare?: (editor: Editor) => void | Promise<void>;
  /** Runs first at teardown, passed or failed: a paused trainer resumed, a live run cancelled. */
  cleanup?: () => void | Promise<void>;
}

/**
 * The set-up every e2e file shares, as node:test hooks of the file: before its tests, code-server on
 * `options.workspace` (or a fresh copy of demo/) and Chromium on its workbench; after them, passed or
 * failed, `cleanup`, a screenshot `<name>-end.png` of what the editor showed last, the browser closed
 * and the editor's process group stopped. Each teardown step runs even if one before it throws; the
 * first error is rethrown so a broken teardown still fails the file.
 */
export function scenario(name: string, options: ScenarioOptions): void {
  const { ready, prepare, cleanup, ...start } = options;
  // The venv's editable install may point at another clone: the trainer under test is this one's, for
  // the editor (which inherits this environment) and for runs a test launches itself.
  process.env['PYTHONPATH'] = join(ROOT, 'src/trainer');
  let editor: Editor | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    editor = await startEditor(start);
    await prepare?.(editor);
    ({ browser, page } = await openWorkbench(editor.url));
    ready({ editor, page });
  });
  after(async () => {
    const errors: unknown[] = [];
    const step = async (run: () => unknown): Promise<void> => {
      try {
        await run();
      } catch (error) {
        errors.push(error);
      }
    };
    if (cleanup) await step(cleanup);
    // A page that never opened or already crashed has nothing to show: not an error of the scenario.
    await page?.screenshot({ path: join(SHOTS, `${name}-end.png`) }).catch(() => undefined);
    await step(() => browser?.close());
    editor?.stop();
    if (errors.length > 0) throw errors[0];
  });
}

/** The visible text of every element `selector` matches, one per line. */
export async function pageText(page: Page, selector: string): Promise<string> {
  return page.evaluate(
    (s) => [...document.querySelectorAll(s)].map((e) => (e as HTMLElement).innerText).join('\n'),
    selector,
  );
}

/** Shows the Problems panel and returns its text once it lists every one of `codes`. */
export async function problems(page: Page, codes: string[], timeoutMs = 90_000): Promise<string> {
  await page.keyboard.press('Control+Shift+M');
  return until(
    `${codes.join(', ')} in the Problems panel`,
    async () => {
      const rows = await pageText(page, '.markers-panel');
      return codes.every((code) => rows.includes(code)) ? rows : undefined;
    },
    timeoutMs,
  );
}

/**
 * Opens `path` (a workspace-relative path, or a name) with Quick Open and waits for its tab, `name`
 * being the file's base name. The first Ctrl+P is retried: a workbench that has just loaded can drop it.
 */
export async function quickOpen(page: Page, path: string, name = basename(path)): Promise<void> {
  await until('the workbench to take keyboard input', async () => {
    await page.keyboard.press('Control+P');
    return page.waitForSelector('.quick-input-widget input', { timeout: 2_000 });
  });
  await page.keyboard.type(path);
  await until(`${name} in Quick Open`, async () =>
    (await pageText(page, '.quick-input-list')).includes(name),
  );
  await page.keyboard.press('Enter');
  // The label starts with the name: a panel titled "old.jsonl ↔ name" that is still active contains it.
  await page.waitForSelector(`.tab.active[aria-label^="${name}"]`);
}

/**
 * Runs a command from the palette by clicking its exact row: typed keys can be lost on a loaded
 * machine before the input has focus, and Enter would then run whatever else matched.
 */
export async function runCommand(page: Page, command: string): Promise<void> {
  const row = await until(
    `"${command}" in the palette`,
    async () => {
      await page.keyboard.press('F1');
      await page.waitForSelector('.quick-input-widget input');
      await page.fill('.quick-input-widget input', `>${command}`);
      const candidate = page.locator('.quick-input-list .monaco-list-row', { hasText: command }).first();
      const found = await candidate
        .waitFor({ timeout: 3000 })
        .then(() => true)
        .catch(() => false);
      if (!found) await page.keyboard.press('Escape');
      return found ? candidate : undefined;
    },
    60_000,
  );
  await row.click();
}

/**
 * Right-clicks `target` (a tree row, an Explorer file) and runs `action` from its context menu. The menu
 * is reopened until the item is there (a row redrawn as the menu opens loses it).
 */
export async function contextMenuAction(page: Page, target: Locator, action: string): Promise<void> {
  const menu = page.locator('.monaco-menu');
  const item = menu.locator('.action-item', { hasText: action }).first();
  await until(`"${action}" in the context menu`, async () => {
    await target.click({ button: 'right' });
    const found = await item
      .waitFor({ timeout: 3000 })
      .then(() => true)
      .catch(() => false);
    if (!found) await page.keyboard.press('Escape');
    return found;
  });
  await item.click();
  // The workbench can drop a click that lands as the menu opens; the item is focused then, so Enter runs it.
  await until(`the context menu closed after "${action}"`, async () => {
    if (!(await menu.first().isVisible())) return true;
    await page.keyboard.press('Enter');
    return false;
  });
}

/** Right-clicks a file in the Explorer (shown first) and runs one of its context menu's items. */
export async function explorerAction(page: Page, name: string, action: string): Promise<void> {
  await runCommand(page, 'View: Show Explorer');
  const file = page.locator('.explorer-folders-view .monaco-list-row', { hasText: name }).first();
  await contextMenuAction(page, file, action);
}

/**
 * The webview frame (webviews are nested iframes inside the workbench) whose text holds `text`, once
 * it is shown: a webview loads new content into a hidden frame before swapping it in.
 */
export async function shownFrameWithText(page: Page, text: string): Promise<Frame | undefined> {
  for (const frame of page.frames()) {
    const body = await frame.evaluate(() => document.body?.innerText ?? '').catch(() => '');
    if (!body.includes(text)) continue;
    const shown = await frame
      .frameElement()
      .then((element) => element.isVisible())
      .catch(() => false);
    if (shown) return frame;
  }
  return undefined;
}

/** The shown evaluation panel of the report `id` (`final`, a checkpoint's), once its rows are drawn. */
export async function evaluationPanel(page: Page, id: string): Promise<Frame> {
  return until(
    `the evaluation panel of ${id} with its rows`,
    async () => {
      for (const frame of page.frames()) {
        const count = await frame
          .evaluate(
            (reportId) =>
              document.getElementById('report-id')?.textContent === reportId
                ? document.querySelectorAll('#rows .row').length
                : 0,
            id,
          )
          .catch(() => 0);
        const shown = count > 0 && (await frame.frameElement().then((element) => element.isVisible()));
        if (shown) return frame;
      }
      return undefined;
    },
    60_000,
  );
}

/** The webview page holding element `id` (webviews are nested iframes inside the workbench). */
export async function frameWith(page: Page, id: string): Promise<Frame | undefined> {
  for (const frame of page.frames()) {
    const found = await frame.evaluate((i) => document.getElementById(i) !== null, id).catch(() => false);
    if (found) return frame;
  }
  return undefined;
}

const SIGTERM = constants.signals.SIGTERM;

/** Whether a SIGTERM waits for the (stopped) process: Linux lists pending signals in /proc. */
export function sigtermPending(pid: number): boolean {
  const pending = /^ShdPnd:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return pending !== undefined && (BigInt(`0x${pending}`) & (1n << BigInt(SIGTERM - 1))) !== 0n;
}

/** The texts of the drawn CodeLenses, top to bottom (Monaco places them as widgets, in no DOM order). */
export async function codeLenses(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('.monaco-editor .codelens-decoration')]
      .map((lens) => ({ top: lens.getBoundingClientRect().top, text: lens.innerText }))
      // Monaco keeps empty placeholders for lenses it has not resolved or drawn.
      .filter((lens) => lens.text.trim() !== '')
      .sort((a, b) => a.top - b.top)
      .map((lens) => lens.text.replace(/\u00a0/g, ' ')),
  );
}

/** Moves the cursor of the active editor to `line` (1-based) with Go to Line, and waits for it there. */
export async function goToLine(page: Page, line: number): Promise<void> {
  await page.keyboard.press('Control+G');
  await page.waitForSelector('.quick-input-widget input');
  await page.keyboard.type(String(line));
  await page.keyboard.press('Enter');
  await until(`cursor on line ${line}`, async () =>
    ((await page.locator('.statusbar').innerText()) ?? '').includes(`Ln ${line}, Col 1`),
  );
}

/** Shows the hover at the cursor (Ctrl+K Ctrl+I) and returns its text once it holds the evaluation's. */
export async function evaluationHover(page: Page): Promise<string> {
  return until('the evaluation hover', async () => {
    if (!(await page.locator('.monaco-hover').first().isVisible())) {
      await page.keyboard.press('Control+K');
      await page.keyboard.press('Control+I');
    }
    const content = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('.monaco-hover')].map((e) => e.innerText).join('\n'),
    );
    return content.includes('Tunesmith evaluation') ? content : undefined;
  });
}

/** One example of the demo's support datasets: the system line they share, a question, its answer. */
export const supportExample = (question: string, answer: string): string =>
  JSON.stringify({
    messages: [
      { role: 'system', content: 'You are a helpful support assistant for Acme Cloud.' },
      { role: 'user', content: question },
      { role: 'assistant', content: answer },
    ],
  });

/**
 * The second version of the demo's consistency.jsonl that the dataset comparisons compare with the
 * first (the file as the demo has it), written over `workspace`'s: line 7 ("Hi") removed, line 2 (CSV
 * export) answered anew, two examples added, the rest moved.
 */
export function writeConsistencySecondVersion(workspace: string): void {
  const path = join(workspace, 'consistency.jsonl');
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  const csv = JSON.parse(lines[1]!) as { messages: { content: string }[] };
  csv.messages[2]!.content = 'Yes: Settings → Data → Export, then pick CSV or JSON.';
  const second = [
    supportExample('Do you offer SSO?', 'Yes, SAML and OIDC on the Business plan.'),
    ...lines.slice(2, 6).reverse(),
    JSON.stringify(csv),
    lines[0]!,
    supportExample('Can I pay yearly?', 'Yes, with two months free.'),
  ];
  writeFileSync(path, second.join('\n') + '\n');
}
