/**
 * The dataset view in Chromium against a stub host, under the CSP it ships with. The stub answers the
 * page's requests the way the editor provider does, with the same row builder (buildRow) and filter
 * (passes) over an in-memory list of lines: each format as a conversation, tool calls, weight 0,
 * invalid lines, findings with their quick fixes and jumps to the text; filters; a 1,000,000-line
 * file virtualised (open time and scroll frame times measured); markup in the data shown as text.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { FindingInput } from '../../src/extension/dataset/rows.ts';
import { until } from '../e2e/harness.ts';
import { fromLines, openDatasetView, syntheticLine, type DatasetProbe as Probe } from './dataset-stub.ts';
import { startHost, type Host } from './host.ts';

let host: Host;
before(async () => {
  host = await startHost();
});
after(async () => {
  await host?.close();
});

const SHOTS = 'test-results/screenshots';
mkdirSync(SHOTS, { recursive: true });

const rowText = async (page: Page, line: number) =>
  (await page.locator(`.row[data-line="${line}"]`).textContent()) ?? '';
const waitRow = (page: Page, line: number) =>
  page.waitForSelector(`.row.example[data-line="${line}"], .row.invalid[data-line="${line}"]`);

const LINES = [
  JSON.stringify({
    messages: [
      { role: 'system', content: 'You are a weather bot.' },
      { role: 'user', content: 'Weather in Paris? Write to bob@corp.test' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } },
        ],
        weight: 0,
      },
      { role: 'tool', tool_call_id: 'c1', content: '{"temp":21}' },
      { role: 'assistant', content: 'It is 21 °C.' },
    ],
  }),
  JSON.stringify({ prompt: 'Capital of Peru?', completion: 'Lima' }),
  JSON.stringify({ instruction: 'Translate to French', input: 'cat', output: 'chat' }),
  JSON.stringify({
    conversations: [
      { from: 'human', value: 'Hi' },
      { from: 'gpt', value: 'Hello!' },
    ],
  }),
  JSON.stringify({ text: 'Once upon a time. '.repeat(80) }),
  '{"messages": [',
];
const EMAIL = LINES[0]!.indexOf('bob@');
const FINDINGS = new Map<number, FindingInput[]>([
  [
    0,
    [
      {
        code: 'pii/email',
        severity: 'warning',
        message: 'An email address: mask it before training.',
        startLine: 0,
        startCharacter: EMAIL,
        endLine: 0,
        endCharacter: EMAIL + 13,
      },
    ],
  ],
  [
    5,
    [
      {
        code: 'json/syntax',
        severity: 'error',
        message: 'Unexpected end of line.',
        startLine: 5,
        startCharacter: 14,
        endLine: 5,
        endCharacter: 15,
      },
    ],
  ],
]);

test('each format as a conversation; tool calls, weight 0, long text collapsed, invalid line; findings on their turn, with fixes and jumps', async () => {
  const { page, posted } = await openDatasetView(
    host,
    fromLines(LINES, { findings: FINDINGS, fixes: ['Mask the email'] }),
  );
  for (let line = 0; line < LINES.length; line++) await waitRow(page, line);
  const first = page.locator('.row[data-line="0"]');
  assert.deepEqual(await first.locator('.turn .role').allTextContents(), [
    'system',
    'user',
    'assistant',
    'tool',
    'assistant',
  ]);
  const call = first.locator('.turn').nth(2);
  assert.ok(await call.evaluate((node) => node.classList.contains('weight-zero')));
  assert.match((await call.textContent()) ?? '', /weight 0 · not trained/);
  assert.match((await call.locator('pre').textContent()) ?? '', /"arguments": \{\n\s+"city": "Paris"/);
  assert.match((await first.locator('.turn').nth(3).textContent()) ?? '', /c1/);
  // The finding sits on the user turn, where the address is.
  assert.match((await first.locator('.turn').nth(1).locator('.finding').textContent()) ?? '', /pii\/email/);
  assert.match(await rowText(page, 1), /prompt\/completion.*USER|userCapital of Peru\?/i);
  assert.deepEqual(await page.locator('.row[data-line="2"] .turn .role').allTextContents(), [
    'user',
    'user',
    'assistant',
  ]);
  assert.match(await rowText(page, 3), /“human”/);
  const text = page.locator('.row[data-line="4"] .text');
  assert.ok(await text.evaluate((node) => node.classList.contains('collapsed')));
  await page.locator('.row[data-line="4"] [data-action="toggle"]').click();
  await until('the long text opened', () => text.evaluate((node) => !node.classList.contains('collapsed')));
  assert.match(await rowText(page, 5), /Invalid line: .*character/);
  assert.match(await rowText(page, 5), /json\/syntax/);

  await first.locator('[data-action="reveal"].code').click();
  await first.locator('.line-no').click();
  await until('two reveals', () => posted.filter((m) => m.type === 'reveal').length === 2);
  assert.deepEqual(
    posted.filter((m) => m.type === 'reveal'),
    [
      { type: 'reveal', line: 0, character: EMAIL },
      { type: 'reveal', line: 0, character: 0 },
    ],
  );
  await first.locator('[data-action="fixes"]').click();
  await page.locator('.row[data-line="0"] button.apply').click();
  await until('the fix applied', () => posted.some((m) => m.type === 'applyFix'));
  assert.deepEqual(
    posted.find((m) => m.type === 'applyFix'),
    { type: 'applyFix', findings: 1, line: 0, finding: 0, fix: 0 },
  );
  await page.locator('#open-text').click();
  await until('open as text', () => posted.some((m) => m.type === 'openText'));
  const violations = await page.evaluate(() => (window as unknown as Probe).__violations);
  assert.deepEqual(violations, [], 'the page and its vscode-elements run under the CSP');
  await page.screenshot({ path: `${SHOTS}/webview-dataset.png` });
  await page.close();
});

test('filters by finding, format, turn count and text; the count says how many lines are shown', async () => {
  const { page } = await openDatasetView(host, fromLines(LINES, { findings: FINDINGS }));
  await waitRow(page, 0);
  const shown = () =>
    page
      .locator('#window .row')
      .evaluateAll((rows) =>
        rows.map((row) => Number((row as HTMLElement).dataset['line'])).sort((a, b) => a - b),
      );
  const filter = async (message: unknown, expected: number[]) => {
    await page.evaluate(
      (data) => (window as unknown as { __setFilter(d: unknown): void }).__setFilter(data),
      message,
    );
    await until(
      `rows ${expected.join(',')}`,
      async () => JSON.stringify(await shown()) === JSON.stringify(expected),
    );
  };
  // The page's own controls, driven through their change events.
  await page.evaluate(() => {
    (window as unknown as { __setFilter(d: Record<string, string>): void }).__setFilter = (data) => {
      for (const [id, value] of Object.entries(data)) {
        const field = document.getElementById(id) as HTMLElement & { value: string };
        field.value = value;
        field.dispatchEvent(new Event(id === 'search' ? 'input' : 'change'));
      }
    };
  });
  await filter({ code: 'pii/email' }, [0]);
  assert.equal(await page.locator('#shown').textContent(), '1 of 6 lines');
  await filter({ code: '', format: 'alpaca' }, [2]);
  await filter({ format: '', 'min-turns': '3' }, [0, 2]);
  await filter({ 'min-turns': '', search: 'PARIS' }, [0]);
  await filter({ search: 'nothing like it' }, []);
  assert.equal(await page.locator('#empty').isVisible(), true);
  await filter({ search: '' }, [0, 1, 2, 3, 4, 5]);
  await page.close();
});

test('markup in the data is shown as text: no element made, no script run', async () => {
  const payloads = [
    '<img src=x onerror="window.__pwned=1">',
    '</script><script>window.__pwned=2</script>',
    '[click me](javascript:window.__pwned=3)',
    '<a href="javascript:window.__pwned=4">link</a>',
  ];
  const lines = [
    JSON.stringify({
      messages: payloads.map((content, i) => ({
        role: i % 2 ? 'assistant' : 'user',
        content,
        name: payloads[0],
      })),
    }),
    JSON.stringify({ prompt: payloads[1], completion: payloads[0], label: payloads[3] }),
    `{"text": "${payloads[0]!.replace(/"/g, '\\"')}`,
  ];
  const findings = new Map<number, FindingInput[]>([
    [
      1,
      [
        {
          code: payloads[0]!,
          severity: 'error',
          message: payloads[1]!,
          startLine: 1,
          startCharacter: 0,
          endLine: 1,
          endCharacter: 3,
        },
      ],
    ],
  ]);
  const { page } = await openDatasetView(host, fromLines(lines, { findings }));
  for (let line = 0; line < lines.length; line++) await waitRow(page, line);
  const all = (await page.locator('#window').textContent()) ?? '';
  for (const payload of payloads) assert.ok(all.includes(payload), `shown as text: ${payload}`);
  const made = await page.evaluate(() => ({
    img: document.querySelectorAll('#window img').length,
    a: document.querySelectorAll('#window a').length,
    script: document.querySelectorAll('script').length,
    pwned: (window as unknown as Probe).__pwned,
  }));
  assert.deepEqual(made, { img: 0, a: 0, script: 1, pwned: undefined });
  await page.screenshot({ path: `${SHOTS}/webview-dataset-xss.png` });
  await page.close();
});

test('1,000,000 lines: opens fast, scrolls within a frame, jumps to a line; only the rows in view are asked for', async () => {
  const started = Date.now();
  const { page, posted } = await openDatasetView(host, { lineCount: 1_000_000, line: syntheticLine });
  await waitRow(page, 0);
  const openMs = Date.now() - started;
  const asked = posted.filter((m) => m.type === 'rows').flatMap((m) => (m.type === 'rows' ? m.lines : []));
  assert.ok(asked.length < 200, `asked for ${asked.length} rows, not the file`);
  assert.match((await page.locator('#shown').textContent()) ?? '', /1,000,000 lines/);

  // Scrolling: 240 frames of 300 px each, the time between frames and of each render measured.
  // A string, not a function: tsx's transform adds helpers (__name) the page does not have.
  const frames = (await page.evaluate(`new Promise((done) => {
    const scroller = document.getElementById('scroller');
    const probe = window.__dataset;
    probe.list.renders.length = 0;
    const gaps = [];
    let last = performance.now();
    let left = 240;
    function step() {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
      scroller.scrollTop += 300;
      if (--left > 0) requestAnimationFrame(step);
      else done({ gaps, renders: [...probe.list.renders] });
    }
    requestAnimationFrame(step);
  })`)) as { gaps: number[]; renders: number[] };
  const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
  const p = (values: number[], q: number) => sorted(values)[Math.floor(q * (values.length - 1))]!;
  const renders = frames.renders;
  console.log(
    `1M lines: open ${openMs} ms; frame gap median ${p(frames.gaps, 0.5).toFixed(1)} ms, p95 ${p(frames.gaps, 0.95).toFixed(1)} ms; render median ${p(renders, 0.5).toFixed(2)} ms, p95 ${p(renders, 0.95).toFixed(2)} ms, max ${p(renders, 1).toFixed(2)} ms over ${renders.length} renders`,
  );
  assert.ok(openMs < 5000, `opened in ${openMs} ms`);
  assert.ok(p(renders, 0.95) < 16, `95% of renders within a frame (${p(renders, 0.95).toFixed(2)} ms)`);

  // The end of the file is reachable, and a line number typed goes to that line.
  await page.evaluate(() => {
    const scroller = document.getElementById('scroller')!;
    scroller.scrollTop = scroller.scrollHeight;
  });
  await waitRow(page, 999_999);
  await page
    .locator('#goto input')
    .fill('765432')
    .catch(async () => {
      await page.evaluate(
        () => ((document.getElementById('goto') as HTMLElement & { value: string }).value = '765432'),
      );
    });
  await page.evaluate(() => {
    const field = document.getElementById('goto') as HTMLElement & { value: string };
    field.value = '765432';
    field.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
  });
  await waitRow(page, 765_431);
  assert.equal(await page.evaluate(() => (window as unknown as Probe).__dataset.firstShown()), 765_431);
  assert.match(await rowText(page, 765_431), /Question number 765431/);
  await until('the line at the top saved for a hidden tab', () =>
    page.evaluate(() => (window as unknown as { __state?: { line: number } }).__state?.line === 765_431),
  );
  const rendered = await page.locator('#window .row').count();
  assert.ok(rendered < 40, `${rendered} rows in the DOM`);
  await page.screenshot({ path: `${SHOTS}/webview-dataset-1m.png` });
  await page.close();

  // The tab shown again: a new page with the state the old one saved opens at that line.
  const { page: again } = await openDatasetView(host, {
    lineCount: 1_000_000,
    line: syntheticLine,
    state: { line: 765_431 },
  });
  await waitRow(again, 765_431);
  assert.equal(await again.evaluate(() => (window as unknown as Probe).__dataset.firstShown()), 765_431);
  await again.close();
});

test("opened from the text editor, the view starts at the cursor's line", async () => {
  const { page } = await openDatasetView(host, { lineCount: 10_000, line: syntheticLine, goto: 4_320 });
  await waitRow(page, 4_320);
  assert.equal(await page.evaluate(() => (window as unknown as Probe).__dataset.firstShown()), 4_320);
  assert.match(await rowText(page, 4_320), /Question number 4320/);
  await page.close();
});
