/**
 * The Markdown and HTML exports: what they hold, and that the untrusted texts of a report (prompts,
 * references, outputs, labels, notes) stay text: Markdown rendered by marked (GitHub-flavoured, raw
 * HTML passed through as GitHub's renderer receives it) and the HTML page hold no element, attribute
 * or link of theirs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { marked } from 'marked';
import {
  mdBlock,
  mdCode,
  mdText,
  reportHtml,
  reportMarkdown,
} from '../../../src/extension/evaluation/export.ts';
import { costlyDiff } from '../../../src/shared/evaluation-view.ts';
import { PAYLOADS, fixtureReport, hostileReport, largeReport } from '../../webview/evaluation-reports.ts';

const ENTITIES: Record<string, string> = { quot: '"', lt: '<', gt: '>', amp: '&', '#39': "'" };
/** The text of rendered HTML: tags dropped, entities decoded in one pass. */
const decode = (html: string): string =>
  html
    .replace(/<[^>]*>/g, '')
    .replace(/&(#\d+|quot|lt|gt|amp);/g, (_m, name: string) =>
      name.startsWith('#') ? String.fromCharCode(Number(name.slice(1))) : ENTITIES[name]!,
    );

/** Elements or attributes that could run, load or link something. */
const ACTIVE = /<(img|script|svg|iframe|b|a)[\s>]|<[^>]*\s(on\w+|src|href)=/i;

test('Markdown text escapes: rendered, it reads as the original text and makes no element', () => {
  const special = fc.constantFrom(
    ...'<>&"\'`*_[]()#+-.!|~$\\:/= \n\tab1'.split(''),
    'javascript:',
    'http://x.y',
    '<img',
  );
  fc.assert(
    fc.property(fc.array(special, { maxLength: 40 }), (chars) => {
      const text = chars.join('');
      const html = marked.parseInline(mdText(text), { async: false });
      assert.doesNotMatch(html, /<(?!\/?(p|br)>)[a-z]/i, `${JSON.stringify(text)} -> ${html}`);
      assert.equal(decode(html), text.replace(/\s+/g, ' '));
    }),
    { numRuns: 500 },
  );
  const listStart = marked.parse(`- ${mdText('1. not a list')}\n- ${mdText('# not a heading')}`, {
    async: false,
  });
  assert.doesNotMatch(listStart, /<(ol|h1)>/);
});

test('a fenced block or a code span outlasts any backticks inside it', () => {
  const text = 'a ``` b\n````\nc';
  const block = mdBlock(text);
  assert.ok(block.startsWith('`````text\n'), block);
  assert.equal(decode(marked.parse(block, { async: false })).trim(), text);
  assert.equal(decode(marked.parseInline(mdCode('a `` b <img> c'), { async: false })), 'a `` b <img> c');
  assert.equal(decode(marked.parseInline(mdCode('`x`'), { async: false })), '`x`');
});

test('the Markdown export of the fixture: metrics with interval and signatures, flips, verdict, examples', async () => {
  const markdown = await reportMarkdown(fixtureReport());
  assert.match(markdown, /^# Evaluation final$/m);
  assert.match(
    markdown,
    /^\| \*\*token F1\*\* \(primary\) \| 0\.571 \| 0\.972 \| \+0\.401 \| \+0\.050 to \+0\.600 \|$/m,
  );
  assert.match(markdown, /\| Δ \| 95% CI, 1,000 paired bootstrap resamples \(seed 0\) \|$/m);
  assert.match(markdown, /^BLEU: `nrefs:1\|case:mixed\|eff:no\|tok:13a\|smooth:exp\|version:2\.5\.1`/m);
  assert.match(markdown, /^### exact match \(normalised\): McNemar p = 0\.250$/m);
  assert.match(markdown, /^\| base wrong \| 3 \| 1 \|$/m);
  assert.match(markdown, /^> Tuned is better on F1/m);
  assert.match(markdown, /^4 improved · 0 regressed · 2 unchanged · 0 errors$/m);
  assert.match(markdown, /^### #3 · line 4 · improved · token F1 0\.000 → 0\.833 \(\+0\.833\)$/m);
  assert.ok(markdown.includes('The capital of Kenya is [-Nairobi-]{+Mombasa+} .'), 'word diff in the block');
  const html = marked.parse(markdown, { async: false });
  assert.match(html, /<table>/, 'the tables render as tables');
});

test('the Markdown export of a hostile report renders every payload as text, nothing as an element', async () => {
  const markdown = await reportMarkdown(hostileReport());
  const html = marked.parse(markdown, { async: false });
  assert.doesNotMatch(html, ACTIVE);
  const text = decode(html);
  for (const payload of PAYLOADS) assert.ok(text.includes(payload), `shown literally: ${payload}`);
});

test('the HTML export: self-contained, scripts forbidden by its policy, every payload escaped', async () => {
  const html = await reportHtml(hostileReport());
  assert.match(
    html,
    /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">/,
  );
  // Attribute values are escaped text (a token's tooltip quotes it): what is left are our own tags.
  const tags = html.replace(/="[^"]*"/g, '=""');
  assert.doesNotMatch(tags, /<script|<link|<img|<iframe|<svg|<[^>]*\s(on\w+|src|href)=/i);
  const text = decode(html);
  for (const payload of PAYLOADS) assert.ok(text.includes(payload), `shown literally: ${payload}`);
  const plain = await reportHtml(fixtureReport());
  assert.match(
    plain,
    /<del title="in the reference, missing here">Nairobi<\/del><ins title="not in the reference">Mombasa<\/ins>/,
  );
  assert.match(
    plain,
    /<span class="s4" title="&#34;The&#34;: log-prob base -2\.10, tuned -0\.10, Δ \+2\.00">The<\/span>/,
  );
});

test('a one-system report exports without base columns or comparisons', async () => {
  const report = fixtureReport();
  delete report.systems.base;
  delete report.metrics.base;
  delete report.metrics.delta;
  report.comparison = null;
  for (const example of report.examples) {
    delete example.outputs.base;
    delete example.scores.base;
    delete example.correct.base;
  }
  const markdown = await reportMarkdown(report);
  assert.match(markdown, /^\| metric \| tuned \|$/m);
  assert.doesNotMatch(markdown, /McNemar|\*\*base\*\*|\d improved ·/);
  assert.doesNotMatch(await reportHtml(report), /McNemar|<th>Δ<\/th>/);
});

test('outputs with little in common with their reference are exported unmarked, and the export says how many', async () => {
  const report = largeReport(200, { seed: 9 });
  let costly = 0;
  for (const example of report.examples)
    for (const output of [example.outputs.base!, example.outputs.tuned])
      if (costlyDiff(example.reference, output)) costly += 1;
  assert.ok(costly > 0 && costly < 400, `${costly} costly pairs`);
  const markdown = await reportMarkdown(report);
  assert.ok(markdown.includes(`\n${costly} output(s) are shown without word marks`), 'the count is said');
  assert.equal(markdown.match(/against the reference: `\[-missing-\]\{\+added\+\}`/g)?.length, 400 - costly);
});
