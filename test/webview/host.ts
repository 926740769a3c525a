/**
 * A stub host for the run panel: serves the page the extension serves (same HTML, same CSP) and
 * the built bundle over HTTP, and opens it in Debian's Chromium with a fake `acquireVsCodeApi` that
 * records what the panel posts. Module scripts need http (file:// modules are blocked).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, normalize, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../browser.ts';
import { newRunHtml } from '../../src/extension/new-run/page.ts';
import { evaluationPanelHtml } from '../../src/extension/evaluation/page.ts';
import { datasetCompareHtml } from '../../src/extension/dataset/compare-page.ts';
import { datasetViewHtml } from '../../src/extension/dataset/page.ts';
import { comparePanelHtml, runPanelHtml } from '../../src/extension/runs/panel-html.ts';
import type { TrainerEvent } from '../../src/shared/trainer-events.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
const BUNDLE = join(ROOT, 'dist/webview');

const STUB = `
  const posted = [];
  const violations = [];
  window.__posted = posted;
  window.__violations = violations;
  document.addEventListener('securitypolicyviolation', (event) =>
    violations.push(event.violatedDirective + ' ' + event.blockedURI));
  window.acquireVsCodeApi = () => ({
    postMessage: (message) => posted.push(message),
    setState: (state) => { window.__state = state; },
    getState: () => window.__state,
  });
  // Synchronous delivery, like a message event from the webview host.
  window.__host = (data) => window.dispatchEvent(new MessageEvent('message', { data }));
`;

/** The pages served, each exactly as its panel ships it: the run panel at /, the new-run form, the compare and evaluation panels. */
const PAGES: Record<string, { html: typeof runPanelHtml; bundle: string }> = {
  '/': { html: runPanelHtml, bundle: 'run' },
  '/new-run': { html: newRunHtml, bundle: 'new-run' },
  '/compare': { html: comparePanelHtml, bundle: 'compare' },
  '/evaluation': { html: evaluationPanelHtml, bundle: 'evaluation' },
  '/dataset': { html: datasetViewHtml, bundle: 'dataset' },
  '/dataset-compare': { html: datasetCompareHtml, bundle: 'dataset-compare' },
};

export interface Host {
  origin: string;
  browser: Browser;
  open(path?: string): Promise<Page>;
  close(): Promise<void>;
}

export async function startHost(): Promise<Host> {
  execFileSync(process.execPath, [join(ROOT, 'esbuild.mjs')], { cwd: ROOT, stdio: 'inherit' });
  let origin = '';
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', origin);
    const page = PAGES[url.pathname];
    if (page) {
      response.setHeader('content-type', 'text/html');
      response.end(
        page.html({
          cspSource: origin,
          scriptUri: `${origin}/bundle/${page.bundle}.js`,
          styleUri: `${origin}/bundle/${page.bundle}.css`,
        }),
      );
      return;
    }
    const path = normalize(join(BUNDLE, url.pathname.replace(/^\/bundle\//, '')));
    if (!url.pathname.startsWith('/bundle/') || !path.startsWith(BUNDLE)) {
      response.statusCode = 404;
      response.end();
      return;
    }
    try {
      const body = readFileSync(path);
      response.setHeader('content-type', path.endsWith('.js') ? 'text/javascript' : 'text/css');
      response.end(body);
    } catch {
      response.statusCode = 404;
      response.end();
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (error) {
    // Else the open server keeps the test process alive until the suite's timeout.
    await new Promise((done) => server.close(done));
    throw error;
  }
  return {
    origin,
    browser,
    async open(path = '/') {
      const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
      // A string, not a function: tsx's transform adds helpers (__name) the page does not have.
      await page.addInitScript(STUB);
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(origin + path);
      await page.waitForFunction(() => (window as unknown as { __posted: unknown[] }).__posted.length > 0);
      if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
      return page;
    },
    async close() {
      await browser.close();
      await new Promise((done) => server.close(done));
    },
  };
}

export function post(page: Page, message: unknown): Promise<void> {
  return page.evaluate((data) => (window as unknown as { __host(d: unknown): void }).__host(data), message);
}

export function recordedRun(): TrainerEvent[] {
  return readFileSync(join(ROOT, 'test/fixtures/tiny-run.events.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as TrainerEvent);
}
