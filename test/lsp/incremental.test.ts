/**
 * The incremental document with every real rule: after any sequence of edits its findings equal a
 * fresh `lintText` of the final text. This is what catches a dataset rule that keys its index by line
 * number instead of by example id, or a line rule whose finding depends on a neighbour. The first,
 * quick publication after an edit never offers a fix the complete one does not.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { resolveConfig } from '../../src/core/engine/config.ts';
import { lintText } from '../../src/core/engine/linter.ts';
import { ALL_CHECKERS } from '../../src/core/rules/index.ts';
import { LintedDocument } from '../../src/server/lsp/linted-document.ts';
import type { Finding } from '../../src/core/engine/types.ts';
import { chat, replaceWord, words } from '../unit/rules/consistency-fixtures.ts';
import { applyRandomEdit } from './client.ts';

const demoLines = ['chat', 'syntax', 'format', 'pii', 'secrets', 'consistency']
  .flatMap((name) => readFileSync(new URL(`../../demo/${name}.jsonl`, import.meta.url), 'utf8').split('\n'))
  .filter((line, i, all) => all.indexOf(line) === i);

const lineArb = fc.constantFrom(...demoLines);
const editArb = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  length: fc.nat(60),
  text: fc.oneof(
    fc.constantFrom('\n', ' ', '"', '}', 'usr', '4111 1111 1111 1111', '\r\n'),
    lineArb.map((line) => line + '\n'),
    fc.string({ maxLength: 4 }),
  ),
});

test('property: incremental findings with every rule equal a fresh lint of the final text', () => {
  const config = resolveConfig({}).config;
  const normalise = (findings: unknown[]): string[] => findings.map((f) => JSON.stringify(f)).sort();
  fc.assert(
    fc.property(
      fc.array(lineArb, { maxLength: 10 }),
      fc.array(editArb, { minLength: 1, maxLength: 8 }),
      (lines, edits) => {
        let text = lines.join('\n') + '\n';
        const document = new LintedDocument(text, config, ALL_CHECKERS);
        for (const edit of edits) {
          const applied = applyRandomEdit(text, edit);
          text = applied.text;
          document.applyChanges([applied.change]);
          if (edit.length % 3 === 0) continue; // let provisional findings span several edits
          // What the server publishes first: no fix in it may differ from the complete report's.
          const quick = document.findings(false);
          const full = new Set(document.findings().map((f) => JSON.stringify(f)));
          for (const finding of quick.filter((f) => f.fix)) assert.ok(full.has(JSON.stringify(finding)));
        }
        assert.equal(document.getText(), text);
        assert.deepEqual(normalise(document.findings()), normalise(lintText(text, config, ALL_CHECKERS)));
      },
    ),
    { numRuns: 120 },
  );
});

test('property: duplicates, conflicts and near-duplicates reported by update equal a fresh lint', () => {
  // Many copies and near-copies, so that groups outgrow the near-duplicate window (8) and edits
  // move first occurrences: what `update` re-reports must be all an edit changed.
  const config = resolveConfig({ rules: { consistency: 'warning' } }).config;
  const base = words(40, 3);
  // Variants one to three words away from the base, so that similarities differ and a line's
  // nearest earlier line is not always the first of its band group.
  const variant = (...replaced: [number, string][]): string =>
    chat(
      replaced.reduce((text, [at, word]) => replaceWord(text, at, word), base),
      'ok',
    );
  const pool = [
    ...[3, 11, 19, 27, 35].flatMap((at) => ['zebra', 'ember'].map((word) => variant([at, word]))),
    variant([3, 'zebra'], [20, 'ember']),
    variant([11, 'ember'], [27, 'zebra'], [35, 'lotus']),
    variant([5, 'dune'], [6, 'echo']),
    variant([5, 'dune'], [6, 'echo'], [7, 'fable']),
    chat(base, 'ok'),
    chat(base, 'a different answer'),
    chat('Short question?', 'Yes.'),
    chat('Short question?', 'No.'),
    // An open answer (no label, number or text of the prompt): no part in a conflict, whether the
    // prompt's other answers conflict or not. Long among 'ok' answers, so length outliers come and go.
    chat('Short question?', 'Let me think about that for a while and tell you later on.'),
  ];
  const poolLine = fc.constantFrom(...pool);
  const edit = fc.record({
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    length: fc.oneof(fc.nat(3), fc.nat(400)),
    text: fc.oneof(
      poolLine.map((line) => line + '\n'),
      fc.constantFrom('', 'x', ' ', '\n'),
    ),
  });
  const consistency = (findings: Finding[]): string[] =>
    findings
      .filter((f) => f.code.startsWith('consistency/'))
      .map((f) => JSON.stringify(f))
      .sort();
  fc.assert(
    fc.property(
      fc.array(poolLine, { minLength: 10, maxLength: 40 }),
      fc.array(edit, { minLength: 1, maxLength: 10 }),
      fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }),
      (lines, edits, checkAfter) => {
        let text = lines.join('\n') + '\n';
        const document = new LintedDocument(text, config, ALL_CHECKERS);
        document.findings(false);
        edits.forEach((e, i) => {
          const applied = applyRandomEdit(text, e);
          text = applied.text;
          document.applyChanges([applied.change]);
          if (checkAfter[i])
            assert.deepEqual(
              consistency(document.findings(false)),
              consistency(lintText(text, config, ALL_CHECKERS)),
            );
        });
        assert.deepEqual(consistency(document.findings()), consistency(lintText(text, config, ALL_CHECKERS)));
      },
    ),
    { numRuns: 150 },
  );
});

test('property: blocks of whole lines pasted and deleted anywhere equal a fresh lint after each', () => {
  // A paste or delete of many lines moves every line below it; with enough lines the moves outgrow
  // what the indexes patch (256 changes) and they sort again. Copies of demo lines and of one
  // another, so that duplicate groups straddle the edit.
  const config = resolveConfig({ rules: { consistency: 'warning' } }).config;
  const block = fc.record({
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    deleted: fc.oneof(fc.nat(3), fc.nat(120)),
    pasted: fc.array(lineArb, { maxLength: 160 }),
    source: fc.option(fc.nat(300), { nil: undefined }),
  });
  const normalise = (findings: unknown[]): string[] => findings.map((f) => JSON.stringify(f)).sort();
  fc.assert(
    fc.property(
      fc.array(lineArb, { minLength: 1, maxLength: 300 }),
      fc.array(block, { minLength: 1, maxLength: 4 }),
      (initial, blocks) => {
        let lines = [...initial];
        const document = new LintedDocument(lines.join('\n') + '\n', config, ALL_CHECKERS);
        document.findings();
        for (const edit of blocks) {
          const start = Math.floor(edit.at * lines.length);
          const end = Math.min(lines.length, start + edit.deleted);
          // A paste copies lines of the document itself when `source` is set (a moved block).
          const pasted =
            edit.source === undefined
              ? edit.pasted
              : lines.slice(edit.source % lines.length, (edit.source % lines.length) + edit.pasted.length);
          document.applyChanges([
            {
              range: { start: { line: start, character: 0 }, end: { line: end, character: 0 } },
              text: pasted.map((line) => line + '\n').join(''),
            },
          ]);
          lines = [...lines.slice(0, start), ...pasted, ...lines.slice(end)];
          const text = lines.map((line) => line + '\n').join('');
          assert.equal(document.getText(), text);
          assert.deepEqual(normalise(document.findings()), normalise(lintText(text, config, ALL_CHECKERS)));
        }
      },
    ),
    { numRuns: 60 },
  );
});

/** Steps of a chain: each rewrites 6 of 300 words, so neighbours are similar and lines two steps apart not. */
function chain(length: number): string[] {
  const texts = [words(300, 23)];
  for (let step = 1; step < length; step++) {
    let next = texts.at(-1)!;
    for (let k = 0; k < 6; k++) next = replaceWord(next, step * 53 + k * 5, `changed${step}x${k}`);
    texts.push(next);
  }
  return texts.map((text) => chat(text, 'ok'));
}

const nearDuplicates = (findings: Finding[]): Finding[] =>
  findings.filter((f) => f.code === 'consistency/near-duplicate');

test("editing a cluster's first line moves its finding to the new first; a bridge joins and splits", () => {
  const config = resolveConfig({ rules: { consistency: 'warning' } }).config;
  const base = words(120, 3);
  const nearest = chat(replaceWord(base, 3, 'zebra'), 'ok');
  const filler = chat(replaceWord(base, 35, 'lotus'), 'ok');
  const last = chat(replaceWord(replaceWord(base, 3, 'zebra'), 20, 'ember'), 'ok');
  const lines = [chat(base, 'ok'), nearest, filler, filler, filler, last];
  const document = new LintedDocument(lines.join('\n') + '\n', config, ALL_CHECKERS);
  const replaceLine = (line: number, text: string): void => {
    document.applyChanges([
      {
        range: { start: { line, character: 0 }, end: { line, character: lines[line]!.length } },
        text,
      },
    ]);
    lines[line] = text;
  };
  // The copies of `filler` are consistency/duplicate's: four distinct members.
  let found = nearDuplicates(document.findings(false));
  assert.deepEqual(
    found.map((f) => f.range.start.line),
    [0],
  );
  assert.match(found[0]!.message, /^Near-duplicates: 4 examples .*this one and lines 2, 3, 6$/);
  replaceLine(0, chat('Short question?', 'Yes.'));
  found = nearDuplicates(document.findings(false));
  assert.deepEqual(
    found.map((f) => [f.range.start.line, f.message.replace(/ \(.*\)/, '')]),
    [[1, 'Near-duplicates: 3 examples, this one and lines 3, 6']],
  );
  assert.deepEqual(document.findings(), lintText(lines.join('\n') + '\n', config, ALL_CHECKERS));

  // Two ends of a chain are not similar; the step between them joins them into one cluster.
  const [a, bridge, c] = chain(3);
  lines.push(a!, chat('Another short question?', 'No.'), c!);
  const document2 = new LintedDocument(lines.join('\n') + '\n', config, ALL_CHECKERS);
  const join = lines.length - 2;
  const edit2 = (text: string): void => {
    document2.applyChanges([
      {
        range: { start: { line: join, character: 0 }, end: { line: join, character: lines[join]!.length } },
        text,
      },
    ]);
    lines[join] = text;
  };
  const chained = (): Finding[] =>
    nearDuplicates(document2.findings(false)).filter((f) => f.range.start.line >= join - 1);
  assert.deepEqual(chained(), []);
  edit2(bridge!);
  assert.deepEqual(
    chained().map((f) => [f.range.start.line, (f.related ?? []).map((r) => r.range.start.line)]),
    [[join - 1, [join, join + 1]]],
  );
  assert.deepEqual(document2.findings(), lintText(lines.join('\n') + '\n', config, ALL_CHECKERS));
  edit2(chat('Another short question?', 'No.'));
  assert.deepEqual(chained(), []);
  assert.deepEqual(document2.findings(), lintText(lines.join('\n') + '\n', config, ALL_CHECKERS));
});

test("a line that links two unchanged clusters merges them under the first one's line", () => {
  const config = resolveConfig({ rules: { consistency: 'warning' } }).config;
  const [t0, t1, t2, t3, t4] = chain(5);
  const lines = [t0!, t1!, t3!, t4!];
  const document = new LintedDocument(lines.join('\n') + '\n', config, ALL_CHECKERS);
  assert.deepEqual(
    nearDuplicates(document.findings(false)).map((f) => f.range.start.line),
    [0, 2],
  );
  // Appended below both clusters: no member's band window changes, the new line links the two.
  document.applyChanges([
    { range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, text: t2! + '\n' },
  ]);
  lines.push(t2!);
  const found = nearDuplicates(document.findings(false));
  assert.deepEqual(
    found.map((f) => [f.range.start.line, (f.related ?? []).map((r) => r.range.start.line)]),
    [[0, [1, 2, 3, 4]]],
  );
  assert.deepEqual(document.findings(), lintText(lines.join('\n') + '\n', config, ALL_CHECKERS));
});

test('property: edits that split and join chains of near-duplicates equal a fresh lint after each', () => {
  const config = resolveConfig({ rules: { consistency: 'warning' } }).config;
  const pool = [...chain(6), chat('Short question?', 'Yes.'), chat(words(300, 24), 'ok')];
  const poolLine = fc.constantFrom(...pool);
  const edit = fc.record({
    line: fc.double({ min: 0, max: 1, noNaN: true }),
    deleted: fc.nat(3),
    pasted: fc.array(poolLine, { maxLength: 3 }),
  });
  const consistency = (findings: Finding[]): string[] =>
    nearDuplicates(findings)
      .map((f) => JSON.stringify(f))
      .sort();
  fc.assert(
    fc.property(
      fc.array(poolLine, { minLength: 2, maxLength: 24 }),
      fc.array(edit, { minLength: 1, maxLength: 8 }),
      (initial, edits) => {
        let lines = [...initial];
        const document = new LintedDocument(lines.join('\n') + '\n', config, ALL_CHECKERS);
        document.findings(false);
        for (const e of edits) {
          const start = Math.floor(e.line * lines.length);
          const end = Math.min(lines.length, start + e.deleted);
          document.applyChanges([
            {
              range: { start: { line: start, character: 0 }, end: { line: end, character: 0 } },
              text: e.pasted.map((line) => line + '\n').join(''),
            },
          ]);
          lines = [...lines.slice(0, start), ...e.pasted, ...lines.slice(end)];
          const fresh = lintText(lines.join('\n') + '\n', config, ALL_CHECKERS);
          assert.deepEqual(consistency(document.findings(false)), consistency(fresh));
        }
      },
    ),
    { numRuns: 80 },
  );
});

test('editing the answer of the partner of a near-duplicate re-reports whether the two share a passage', () => {
  const config = resolveConfig({ rules: { consistency: 'warning' } }).config;
  const passage = words(150, 4);
  const first = chat(`${passage}\nQuestion: Who wins?`, 'Feraud');
  const lines = [first, chat(`${replaceWord(passage, 70, 'zebra')}\nQuestion: Who wins?`, 'Feraud')];
  const document = new LintedDocument(lines.join('\n') + '\n', config, ALL_CHECKERS);
  const messageOf = (findings: Finding[]): string | undefined =>
    findings.find((f) => f.code === 'consistency/near-duplicate')?.message;
  // The prompts differ by a word of the passage, not by a question, and the answers agree.
  assert.match(messageOf(document.findings(false)) ?? '', /^Near-duplicates: 2 examples /);
  const replacement = chat(`${passage}\nQuestion: Who wins?`, 'DHubert');
  document.applyChanges([
    {
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: first.length } },
      text: replacement,
    },
  ]);
  lines[0] = replacement;
  assert.match(messageOf(document.findings(false)) ?? '', /^Shared passage: 2 examples /);
  assert.deepEqual(document.findings(), lintText(lines.join('\n') + '\n', config, ALL_CHECKERS));
});

test('property: a lone CR breaks the line as in the editor, so every finding stays at its position', () => {
  const config = resolveConfig({}).config;
  const breakArb = fc.constantFrom('\n', '\r\n', '\r');
  const crEditArb = fc.record({
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    length: fc.nat(40),
    text: fc.oneof(
      fc.constantFrom('\r', '\n', '\r\n', 'usr', ''),
      lineArb.map((line) => line + '\r'),
    ),
  });
  // LSP reads positions with '\n', '\r\n' and a lone '\r' as line breaks (the editor's own split).
  const lspPositionAt = (text: string, offset: number) =>
    TextDocument.create('u', 'jsonl', 0, text).positionAt(offset);
  fc.assert(
    fc.property(
      fc.array(fc.tuple(lineArb, breakArb), { maxLength: 8 }),
      fc.array(crEditArb, { maxLength: 6 }),
      (lines, edits) => {
        let text = lines.map(([line, eol]) => line + eol).join('');
        const document = new LintedDocument(text, config, ALL_CHECKERS);
        for (const edit of edits) {
          const applied = applyRandomEdit(text, edit, lspPositionAt);
          text = applied.text;
          document.applyChanges([applied.change]);
        }
        assert.equal(document.getText(), text);
        // The engine splits as the editor does, so the whole text linted at once agrees exactly.
        assert.deepEqual(document.findings(), lintText(text, config, ALL_CHECKERS));
        const loneCr = (text.match(/\r(?!\n)/g) ?? []).length;
        const reported = document.findings().filter((f) => f.message.includes('lone CR')).length;
        assert.equal(reported, loneCr);
      },
    ),
    { numRuns: 100 },
  );
});

test('an edit that joins a lone CR and a LF makes one CRLF break, as in the editor', () => {
  const config = resolveConfig({}).config;
  const a = '{"messages":[{"role":"user","content":"a"}]}';
  const b = '{"messages":[{"role":"usr","content":"b"}]}';
  const role = (document: LintedDocument): number[] =>
    document
      .findings()
      .filter((f) => f.code === 'structure/unknown-role')
      .map((f) => f.range.start.line);
  // Typing a LF right after a lone CR.
  const typed = new LintedDocument(`${a}\r${b}\n`, config, ALL_CHECKERS);
  assert.deepEqual(role(typed), [1]);
  typed.applyChanges([
    { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '\n' },
  ]);
  assert.equal(typed.getText(), `${a}\r\n${b}\n`);
  assert.equal(typed.lineCount, 2);
  assert.deepEqual(role(typed), [1]);
  // Deleting the only text between a lone CR and a LF.
  const deleted = new LintedDocument(`${a}\rx\n${b}\n`, config, ALL_CHECKERS);
  assert.deepEqual(role(deleted), [2]);
  deleted.applyChanges([
    { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 1 } }, text: '' },
  ]);
  assert.equal(deleted.lineCount, 2);
  assert.deepEqual(role(deleted), [1]);
  assert.deepEqual(
    deleted.findings().filter((f) => f.code === 'syntax/blank-line'),
    [],
  );
});

test('the first quick publication and one after a moving paste hold the length outliers a fresh lint reports', () => {
  // Found by the property below (seed 1): before length-outlier updated by line, `findings(false)`
  // showed the outliers of the last full report, and none before the first.
  const config = resolveConfig({ rules: { consistency: 'warning' } }).config;
  // The short outlier has four words: a shorter, label-like answer ("x") is never an outlier.
  const text = (n: number): string => (n < 10 ? 'a b c d e f g h i'.slice(0, n) : 'x'.repeat(n));
  const answer = (n: number, i: number): string => chat(`Question ${i}?`, text(n));
  let lines = [7, ...Array.from({ length: 24 }, (_, i) => 24 + (i % 8) * 2), 2000].map(answer);
  const outliers = (findings: Finding[]): string[] =>
    findings
      .filter((f) => f.code === 'consistency/length-outlier')
      .map((f) => f.message + ' @' + f.range.start.line);
  const document = new LintedDocument(lines.join('\n') + '\n', config, ALL_CHECKERS);
  const fresh = (): string[] => outliers(lintText(lines.map((l) => l + '\n').join(''), config, ALL_CHECKERS));
  assert.equal(fresh().length, 2);
  assert.deepEqual(outliers(document.findings(false)), fresh());
  const pasted = [answer(5000, 99), answer(30, 98), answer(30, 97)];
  document.applyChanges([
    {
      range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } },
      text: pasted.map((l) => l + '\n').join(''),
    },
  ]);
  lines = [lines[0]!, ...pasted, ...lines.slice(1)];
  assert.deepEqual(outliers(document.findings(false)), fresh());
  assert.deepEqual(outliers(document.findings()), fresh());
});

test('property: length outliers after line edits and moved blocks equal a fresh lint', () => {
  // Answers from two letters to a few hundred characters, so that outliers exist at both ends and
  // edits move them in and out; blocks pasted and deleted move every id below (`DatasetIndex.move`).
  const config = resolveConfig({ rules: { consistency: 'warning' } }).config;
  // Two tasks (no system prompt, and a writer's), each its own distribution: an edit in one moves
  // only that task's median.
  const pool = [
    ...[1, 2, 24, 26, 28, 30, 31, 32, 34, 36, 38, 40, 300, 2000].map((n, i) =>
      chat(`Question ${i}?`, 'x'.repeat(n)),
    ),
    ...[3, 200, 220, 240, 260, 9000].map((n, i) => chat(`Essay ${i}?`, 'a b '.repeat(n), 'Write an essay.')),
  ];
  const poolLine = fc.constantFrom(...pool);
  const edit = fc.record({
    at: fc.double({ min: 0, max: 1, noNaN: true }),
    deleted: fc.oneof(fc.nat(2), fc.nat(30)),
    pasted: fc.array(poolLine, { maxLength: 30 }),
    report: fc.boolean(),
  });
  const outliers = (findings: Finding[]): string[] =>
    findings
      .filter((f) => f.code === 'consistency/length-outlier')
      .map((f) => JSON.stringify(f))
      .sort();
  fc.assert(
    fc.property(
      fc.array(poolLine, { minLength: 20, maxLength: 80 }),
      fc.array(edit, { minLength: 1, maxLength: 10 }),
      (initial, edits) => {
        let lines = [...initial];
        const document = new LintedDocument(lines.join('\n') + '\n', config, ALL_CHECKERS);
        document.findings(false);
        for (const e of edits) {
          const start = Math.floor(e.at * lines.length);
          const end = Math.min(lines.length, start + e.deleted);
          document.applyChanges([
            {
              range: { start: { line: start, character: 0 }, end: { line: end, character: 0 } },
              text: e.pasted.map((line) => line + '\n').join(''),
            },
          ]);
          lines = [...lines.slice(0, start), ...e.pasted, ...lines.slice(end)];
          const text = lines.map((line) => line + '\n').join('');
          if (e.report || e === edits.at(-1)) {
            const fresh = outliers(lintText(text, config, ALL_CHECKERS));
            assert.deepEqual(outliers(document.findings(false)), fresh, 'quick');
            assert.deepEqual(outliers(document.findings()), fresh, 'complete');
          }
        }
      },
    ),
    { numRuns: 60 },
  );
});

test('format/unknown names the keys of its lines in line order, however the lines were edited in', () => {
  const config = resolveConfig({}).config;
  // Ten lines in no format, ten keys between them: the finding names the first eight keys it meets.
  const unknown = (i: number): string => JSON.stringify({ [`key${i}`]: 1, [`key${i + 1}`]: 2 });
  const chatLine = JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] });
  const lines = Array.from({ length: 12 }, (_, i) => (i < 2 ? chatLine : unknown(i - 2)));
  const document = new LintedDocument(lines.join('\n') + '\n', config, ALL_CHECKERS);
  document.findings();
  // The first line turns into a line in no format (added last), and a block is pasted above the rest
  // (the ids below move).
  const at = (line: number) => ({ line, character: 0 });
  document.applyChanges([{ range: { start: at(0), end: at(1) }, text: unknown(20) + '\n' }]);
  document.applyChanges([
    { range: { start: at(2), end: at(2) }, text: unknown(30) + '\n' + chatLine + '\n' },
  ]);
  const text = document.getText();
  const messages = (findings: Finding[]): string[] =>
    findings.filter((f) => f.code === 'format/unknown').map((f) => `${f.range.start.line}: ${f.message}`);
  const fresh = messages(lintText(text, config, ALL_CHECKERS));
  assert.equal(fresh.length, 1);
  assert.match(fresh[0]!, /"key20"/);
  assert.deepEqual(messages(document.findings()), fresh);
});
