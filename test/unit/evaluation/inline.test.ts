/**
 * The editor's inline results without the editor: line hashes as the trainer computes them, where
 * each result goes in the file as it is now (fresh, moved, stale), the lens's words, the hover's
 * Markdown (rendered with marked, as VS Code renders hovers, with its rule for raw HTML) and the order
 * of List Regressions.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { Marked } from 'marked';
import {
  LineHashes,
  ReportLines,
  lensWindow,
  lineHash,
  placeResults,
  type Lines,
  type PlacedResult,
  windowStale,
} from '../../../src/extension/evaluation/inline-model.ts';
import {
  HOVER_TEXT_CHARS,
  hoverMarkdown,
  lensTitle,
  markdownText,
} from '../../../src/extension/evaluation/inline-text.ts';
import { checkEvaluationReport, type EvaluationReport } from '../../../src/shared/evaluation-report.ts';
import { regressionsByLoss, resultLine } from '../../../src/shared/evaluation-view.ts';
import { PAYLOADS, fixtureReport, hostileReport } from '../../webview/evaluation-reports.ts';

const ROOT = resolve(import.meta.dirname, '../../..');
/** As VS Code (and the trainer's report.read_lines) split a file into lines. */
const split = (text: string): string[] => {
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
};
const linesOf = (lines: readonly string[]): Lines => ({ count: lines.length, text: (line) => lines[line]! });
const place = (report: EvaluationReport, lines: readonly string[], hashes = new LineHashes()) =>
  placeResults(new ReportLines(report), linesOf(lines), hashes);
const heldout = () => split(readFileSync(join(ROOT, 'test/fixtures/evaluation-heldout.jsonl'), 'utf8'));
const states = (results: PlacedResult[]) =>
  results.map((result) => [result.example.index, result.state, result.line]);

test('line hashes agree with the trainer’s, on the report and held-out file it recorded', () => {
  const recorded = checkEvaluationReport(
    JSON.parse(readFileSync(join(ROOT, 'test/fixtures/evaluation-report.recorded.json'), 'utf8')),
  );
  assert.ok(recorded.ok);
  const report = recorded.report;
  const lines = split(readFileSync(join(ROOT, report.source.heldout!.path), 'utf8'));
  const placed = place(report, lines);
  assert.equal(placed.results.length, 32);
  assert.ok(placed.results.every((result) => result.state === 'fresh'));
  assert.deepEqual(
    placed.results.map((result) => result.line),
    report.examples.map((example) => example.line! - 1),
  );
  // The hand-made fixture's hashes are those of its held-out file, too.
  assert.ok(place(fixtureReport(), heldout()).results.every((result) => result.state === 'fresh'));
  // Printed by report.read_lines + report.line_hash on '{"a": "é"}\r\n{"b": "日本 🙂"}\r{"c": 3}\n\n  {"d": "\\t"}\t \n'.
  const python: [string, string][] = [
    ['{"a": "é"}', 'c6c0a269c3d5a55e9c687d138cc1fcd13962dc2d96c1b9ff1ea01ff4ad4047d3'],
    ['{"b": "日本 🙂"}', 'e11f40d60ff6b91bc9a5420e656d9bb398197f64bc68fc141da740d2f302daf5'],
    ['{"c": 3}', '67e2e87c01983e4a5fa011e64437723a6778a733ac54ed2ef2ca4bd7b7afee2b'],
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['  {"d": "\\t"}\t ', '0e820e112883d5d8b273506cefc33afb42d25ab70a3bb30ff595e71a60f66b92'],
  ];
  const text = '{"a": "é"}\r\n{"b": "日本 🙂"}\r{"c": 3}\n\n  {"d": "\\t"}\t \n';
  assert.deepEqual(
    split(text).map((line) => [line, lineHash(line)]),
    python,
  );
});

test('an unchanged file: every result on its line; an edited line: stale there, the rest fresh', () => {
  const lines = heldout();
  assert.deepEqual(states(place(fixtureReport(), lines).results), [
    [0, 'fresh', 0],
    [1, 'fresh', 1],
    [2, 'fresh', 2],
    [3, 'fresh', 3],
    [4, 'fresh', 4],
    [5, 'fresh', 5],
  ]);
  const edited = [...lines];
  edited[3] = edited[3]!.replace('Nairobi', 'Nairobi (edited)');
  const placed = place(fixtureReport(), edited);
  assert.deepEqual(placed.results[3]!.state, 'stale');
  assert.equal(placed.results[3]!.line, 3, 'shown on its old line, marked');
  assert.ok(placed.results.filter((result) => result.example.index !== 3).every((r) => r.state === 'fresh'));
  assert.match(
    lensTitle(fixtureReport(), placed.results[3]!),
    /^⚠ stale: line changed since the evaluation · /,
  );
});

test('lines inserted above or moved: results follow their text; a deleted line’s result has no place', () => {
  const lines = heldout();
  const inserted = ['{"messages": []}', '', ...lines];
  const placed = place(fixtureReport(), inserted);
  assert.deepEqual(
    placed.results.map((result) => [result.state, result.line, result.evaluatedLine]),
    lines.map((_line, i) => ['moved', i + 2, i]),
  );
  assert.match(lensTitle(fixtureReport(), placed.results[0]!), / · evaluated as line 1$/);
  assert.deepEqual(
    [...placed.byLine.keys()].sort((a, b) => a - b),
    [2, 3, 4, 5, 6, 7],
  );

  // Line 2 moved to the end, line 5 deleted: 2 follows its text; 5's old line now holds 6's text.
  const shuffled = [lines[0]!, lines[2]!, lines[3]!, lines[5]!, lines[1]!];
  const again = place(fixtureReport(), shuffled);
  assert.deepEqual(states(again.results), [
    [0, 'fresh', 0],
    [1, 'moved', 4],
    [2, 'moved', 1],
    [3, 'moved', 2],
    [4, 'stale', undefined],
    [5, 'moved', 3],
  ]);
});

test('the same line twice: each copy keeps one result', () => {
  const report = fixtureReport();
  const lines = heldout();
  // Examples 0 and 1 both evaluated on a copy of line 1's text.
  report.examples[1]!.line_hash = report.examples[0]!.line_hash!;
  const twice = [lines[0]!, lines[0]!, ...lines.slice(2)];
  assert.deepEqual(states(place(report, twice).results).slice(0, 2), [
    [0, 'fresh', 0],
    [1, 'fresh', 1],
  ]);
  // A line inserted on top: both move down by one, not onto one line.
  const shifted = ['{}', ...twice];
  // A line inserted on top: example 1's line now holds a copy of its text, so it stays; example 0
  // takes the other copy (the two texts are the same: either way each copy shows one result).
  assert.deepEqual(states(place(report, shifted).results).slice(0, 2), [
    [0, 'moved', 2],
    [1, 'fresh', 1],
  ]);
});

test('placing again after an edit hashes only the new text', () => {
  const lines = heldout();
  const hashes = new LineHashes();
  place(fixtureReport(), lines, hashes);
  assert.equal(hashes.computed, 6);
  const edited = [...lines];
  edited[2] = `${edited[2]!} `;
  const placed = place(fixtureReport(), edited, hashes);
  assert.equal(placed.results[2]!.state, 'stale');
  // The edited line, then (looking for its text elsewhere) every line: only the new text is hashed.
  assert.equal(hashes.computed, 7);
});

test('the lens says who was right and the primary metric’s change; a regression says so', () => {
  const report = fixtureReport();
  assert.equal(resultLine(report, report.examples[0]!), 'tuned ✓ · base ✗ · F1 0.308 → 1.000 (+0.692)');
  assert.equal(resultLine(report, report.examples[1]!), 'tuned ✓ · base ✓ · F1 1.000 → 1.000 (0.000)');
  const regressed = report.examples[5]!;
  regressed.outputs = { base: regressed.outputs.tuned, tuned: regressed.outputs.base! };
  regressed.scores = { base: regressed.scores.tuned, tuned: regressed.scores.base! };
  regressed.correct = { base: true, tuned: false };
  regressed.outcome = 'regressed';
  assert.equal(resultLine(report, regressed), 'tuned ✗ · base ✓ · F1 1.000 → 0.833 (−0.167) · regressed');
  const oneSystem = fixtureReport();
  const only = oneSystem.examples[0]!;
  delete only.outputs.base;
  delete only.scores.base;
  delete only.correct.base;
  assert.equal(resultLine(oneSystem, only), 'tuned ✓ · F1 1.000');
  const error = fixtureReport().examples[2]!;
  error.outcome = 'error';
  error.error = 'no base output on this line';
  assert.match(resultLine(fixtureReport(), error), / · error: no base output on this line$/);
});

test('List Regressions: the largest loss of the primary metric first, then file order', () => {
  const report = fixtureReport();
  const lose = (index: number, base: number, tuned: number) => {
    const example = report.examples[index]!;
    example.scores.base!.f1 = base;
    example.scores.tuned.f1 = tuned;
    example.outcome = 'regressed';
  };
  lose(1, 1, 0.9);
  lose(4, 1, 0.2);
  lose(2, 0.5, 0.4);
  lose(5, 1, 0.2);
  assert.deepEqual(
    regressionsByLoss(report).map((example) => example.index),
    [4, 5, 1, 2],
  );
});

// --------------------------------------------------------------------------------------- the hover

/** VS Code's Markdown for a trusted string without supportHtml: marked, raw HTML dropped but for <span>s. */
const vscodeMarkdown = new Marked({
  gfm: true,
  renderer: {
    html: ({ text }) => (/^(<span[^>]+>)|(<\/\s*span>)$/.test(text) ? text : ''),
  },
});
const render = (markdown: string): string => vscodeMarkdown.parse(markdown, { async: false });

const ENTITIES: Record<string, string> = { quot: '"', lt: '<', gt: '>', amp: '&', '#39': "'", nbsp: ' ' };
/** The text of rendered HTML: line breaks kept, tags dropped, entities decoded in one pass. */
const textOf = (html: string): string =>
  html
    .replace(/<br>/g, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#\d+|quot|lt|gt|amp|nbsp);/g, (_m, name: string) =>
      name.startsWith('#') ? String.fromCharCode(Number(name.slice(1))) : ENTITIES[name]!,
    );

test('Markdown text renders as exactly the text it came from, and makes no element but breaks', () => {
  const special = fc.constantFrom(
    ...'<>&"\'`*_[]()#+-.!|~$\\:/=@ \n\r\t\u00a0\u2028\f\u3000éab1'.split(''),
    'javascript:',
    'http://x.y',
    'www.x.org',
    'a@b.co',
    '<img',
    '```',
    '1. ',
    '&amp;',
  );
  fc.assert(
    fc.property(fc.array(special, { maxLength: 40 }), (chars) => {
      const text = chars.join('');
      const html = render(markdownText(text));
      assert.doesNotMatch(html, /<(?!\/?(p|br)>)[a-z]/i, `${JSON.stringify(text)} -> ${html}`);
      const expected = text.replace(/\r\n?/g, '\n');
      assert.equal(textOf(html).replace(/\n$/, ''), expected, `${JSON.stringify(text)} -> ${html}`);
    }),
    { numRuns: 3000 },
  );
});

/** Elements or attributes that could run, load or link something. */
const ACTIVE = /<(img|script|svg|iframe|b|code|em|strong|del|h\d|ol|ul|table)[\s>]|<[^>]*\s(on\w+|src)=/i;

test('the hover renders every output, reference and label of a hostile report as text', () => {
  const report = hostileReport();
  const placed = place(report, heldout());
  for (const result of placed.results) {
    const html = render(
      hoverMarkdown('/ws/run/evaluations/final.json', report, report.examples[result.example.index]!, result),
    );
    const without = html.replace(/<\/?(strong|em)>/g, ''); // the hover's own headings
    assert.doesNotMatch(without, ACTIVE, html);
    // The only links are the two command links.
    const links = [...html.matchAll(/<a [^>]*href="([^"]*)"/g)].map((match) => match[1]!);
    assert.deepEqual(
      links.map((link) => link.replace(/\?.*/, '')),
      ['command:tunesmith.evaluation.compareInDiff', 'command:tunesmith.evaluation.show'],
    );
    // Each output reads as itself once the parts of the reference it lacks are left out.
    const outputs = textOf(html.replace(/<span style="[^"]*removedTextBackground[^"]*">.*?<\/span>/g, ''));
    const example = report.examples[result.example.index]!;
    assert.ok(textOf(html).includes(example.reference), example.reference);
    for (const shown of [example.outputs.base!, example.outputs.tuned])
      assert.ok(outputs.replace(/·/g, ' ').includes(shown), `${JSON.stringify(shown)} in\n${outputs}`);
  }
  const all = placed.results
    .map((result) =>
      textOf(render(hoverMarkdown('/p', report, report.examples[result.example.index]!, result))),
    )
    .join('\n');
  for (const payload of PAYLOADS) assert.ok(all.includes(payload), payload);
  assert.ok(all.includes(`base ${PAYLOADS[0]}`), 'the system label too');
});

test('the hover: reference, both outputs marked against it, stale said first, links to the diff and the panel', () => {
  const report = fixtureReport();
  const lines = heldout();
  lines[3] = lines[3]!.replace('Nairobi', 'Nairobi (edited)');
  const placed = place(report, lines);
  const markdown = hoverMarkdown('/ws/a (1)/final.json', report, report.examples[3]!, placed.results[3]!);
  const html = render(markdown);
  const text = textOf(html);
  assert.match(text, /^Tunesmith evaluation final · run tiny-1 · step 150/);
  assert.match(text, /⚠ stale: line changed since the evaluation: these results are for its old text\./);
  assert.match(text, /Reference\nThe capital of Kenya is Nairobi \./);
  assert.match(text, /base ✗ · F1 0\.000\nI don't know\.\n/, 'an output that shares nothing is not marked');
  // Tuned: "Nairobi" missing (removed), "Mombasa" added, each in its colour.
  assert.match(
    html,
    /<span style="background-color:var\(--vscode-diffEditor-removedTextBackground\);">Nairobi<\/span><span style="background-color:var\(--vscode-diffEditor-insertedTextBackground\);">Mombasa<\/span>/,
  );
  const [diffLink, panelLink] = [...html.matchAll(/href="command:[^?"]*\?([^"]*)"/g)].map((match) =>
    JSON.parse(decodeURIComponent(match[1]!)),
  );
  assert.deepEqual(diffLink, [{ report: '/ws/a (1)/final.json', index: 3, left: 'base', right: 'tuned' }]);
  assert.deepEqual(panelLink, ['/ws/a (1)/final.json']);
  // A whitespace-only change is drawn, not invisible.
  const spaced = fixtureReport();
  spaced.examples[0]!.outputs.tuned = 'The capital of Peru is Lima.';
  const spacedHtml = render(
    hoverMarkdown('/p', spaced, spaced.examples[0]!, place(spaced, heldout()).results[0]!),
  );
  assert.match(spacedHtml, /removedTextBackground\);">·<\/span>/);
});

test('a long output is cut in the hover, and says how much more the diff editor shows', () => {
  const report = fixtureReport();
  report.examples[0]!.outputs.tuned = 'word '.repeat(5000);
  const text = textOf(
    render(hoverMarkdown('/p', report, report.examples[0]!, place(report, heldout()).results[0]!)),
  );
  assert.ok(text.length < 4 * HOVER_TEXT_CHARS, `${text.length}`);
  assert.match(text, /more characters \(Compare in diff editor shows all\)/);
});

test('lenses are given near the visible lines only, and asked again once scrolling nears their edge', () => {
  // Before any editor shows the file: its start.
  assert.deepEqual(lensWindow([], 10_000, 100), { start: 0, end: 200 });
  assert.deepEqual(lensWindow([], 30, 100), { start: 0, end: 29 });
  // Two editors on one file: both spans and the margin, clamped to the file.
  const shown = lensWindow(
    [
      { start: 5_000, end: 5_040 },
      { start: 20, end: 60 },
    ],
    10_000,
    100,
  );
  assert.deepEqual(shown, { start: 0, end: 5_140 });
  assert.equal(windowStale(shown, [{ start: 5_000, end: 5_040 }], 10_000, 100), false);
  assert.equal(windowStale(shown, [{ start: 5_080, end: 5_120 }], 10_000, 100), true);
  // At the file's ends nothing more can be given: never stale there.
  const end = lensWindow([{ start: 9_960, end: 9_999 }], 10_000, 100);
  assert.equal(windowStale(end, [{ start: 9_960, end: 9_999 }], 10_000, 100), false);
  assert.equal(windowStale(end, [{ start: 9_850, end: 9_890 }], 10_000, 100), true);
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 20_000 }),
      fc.array(fc.tuple(fc.nat(), fc.nat({ max: 80 })), { minLength: 1, maxLength: 3 }),
      fc.integer({ min: 3, max: 300 }),
      (count, raw, margin) => {
        const visible = raw.map(([start, length]) => ({
          start: start % count,
          end: Math.min(count - 1, (start % count) + length),
        }));
        const span = lensWindow(visible, count, margin);
        // What was just given covers every visible line and is not stale for the same view.
        assert.ok(visible.every((v) => span.start <= v.start && v.end <= span.end));
        assert.equal(windowStale(span, visible, count, margin), false);
        assert.ok(span.end - span.start <= visible.reduce((n, v) => Math.max(n, v.end), 0) + 2 * margin);
      },
    ),
  );
});
