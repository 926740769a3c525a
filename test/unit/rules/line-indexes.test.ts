/**
 * format/drift and syntax/mixed-line-endings keep one typed-array slot per line id. In the editor,
 * ids are stable per line but say nothing about order, and lines come and go: after any sequence of
 * edits, the findings must equal a fresh lint of the final text, drift's in line order.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { resolveConfig } from '../../../src/core/engine/config.ts';
import { DatasetIndexes, LinePass, compareFindings } from '../../../src/core/engine/linter.ts';
import { makeLine } from '../../../src/core/engine/lines.ts';
import type { LineAccess } from '../../../src/core/engine/rule.ts';
import type { Finding } from '../../../src/core/engine/types.ts';
import { driftChecker } from '../../../src/core/rules/format/drift.ts';
import { lineEndingsChecker } from '../../../src/core/rules/syntax/line-endings.ts';

const config = resolveConfig({ rules: { format: 'info', syntax: 'info' } }).config;
const pass = new LinePass(config, [driftChecker, lineEndingsChecker]);

const texts = [
  JSON.stringify({ messages: [{ role: 'user', content: 'a' }] }),
  JSON.stringify({ messages: [{ role: 'user', content: 'b' }], id: 1 }),
  JSON.stringify({ instruction: 'x', input: '', output: 'y' }),
  JSON.stringify({ instruction: 'x', output: 'y' }),
  JSON.stringify({ prompt: 'p', completion: 'c' }),
  'not json',
];

interface Line {
  id: number;
  text: string;
  eol: '\n' | '\r\n';
}

type Edit = { kind: 'insert' | 'replace' | 'delete'; at: number; text: number; crlf: boolean };

const editArb: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom('insert', 'replace', 'delete'),
  at: fc.nat(),
  text: fc.nat({ max: texts.length - 1 }),
  crlf: fc.boolean(),
});

function run(lines: Line[], idsOrdered: boolean): Finding[] {
  const indexes = new DatasetIndexes(pass);
  const inputs = lines.map((l, i) => makeLine(i, l.text, l.eol, Infinity, false));
  const position = new Map<number, number>();
  lines.forEach((l, i) => {
    const id = idsOrdered ? i : l.id;
    position.set(id, i);
    indexes.add(id, pass.run(inputs[i]!).facts);
  });
  const access: LineAccess = {
    lineOf: (id) => position.get(id)!,
    context: (id) => pass.context(inputs[position.get(id)!]!),
  };
  return indexes.report(access);
}

test('after any edits, both indexes report what a fresh lint of the final lines reports', () => {
  fc.assert(
    fc.property(
      fc.array(editArb, { maxLength: 40 }),
      fc.array(fc.nat({ max: 1000 }), { minLength: 200, maxLength: 200 }),
      (edits, idPool) => {
        // Ids out of line order, as the editor's are: drawn from a shuffled pool, never reused.
        const unused = [...new Set(idPool)];
        let next = 1001;
        const newId = () => unused.pop() ?? next++;
        const lines: Line[] = [];
        const indexes = new DatasetIndexes(pass);
        const factsOf = (l: Line) => pass.run(makeLine(0, l.text, l.eol, Infinity, false)).facts;
        for (const edit of edits) {
          const line: Line = { id: newId(), text: texts[edit.text]!, eol: edit.crlf ? '\r\n' : '\n' };
          if (edit.kind === 'insert' || lines.length === 0) {
            lines.splice(edit.at % (lines.length + 1), 0, line);
            indexes.add(line.id, factsOf(line));
            continue;
          }
          const at = edit.at % lines.length;
          const old = lines[at]!;
          // Stale facts must be ignored: the line's id holds other facts.
          indexes.remove(old.id, factsOf({ ...old, eol: old.eol === '\n' ? '\r\n' : '\n' }));
          indexes.remove(old.id, factsOf(old));
          if (edit.kind === 'delete') lines.splice(at, 1);
          else {
            lines[at] = line;
            indexes.add(line.id, factsOf(line));
          }
        }
        const inputs = lines.map((l, i) => makeLine(i, l.text, l.eol, Infinity, false));
        const position = new Map(lines.map((l, i) => [l.id, i]));
        const access: LineAccess = {
          lineOf: (id) => position.get(id)!,
          context: (id) => pass.context(inputs[position.get(id)!]!),
        };
        const incremental = indexes.report(access);
        const fresh = run(lines, true);
        const drift = (f: Finding) => f.code.startsWith('format/');
        assert.deepEqual(incremental.filter(drift), fresh.filter(drift));
        assert.deepEqual([...incremental].sort(compareFindings), [...fresh].sort(compareFindings));
        assert.deepEqual(run(lines, false), incremental);
      },
    ),
    { numRuns: 300 },
  );
});

test('a CRLF line in an LF file is reported with its exact range and fix', () => {
  const lines: Line[] = texts.slice(0, 3).map((text, i) => ({ id: 10 - i, text, eol: '\n' }));
  lines[1]!.eol = '\r\n';
  const findings = run(lines, false).filter((f) => f.code === 'syntax/mixed-line-endings');
  assert.equal(findings.length, 1);
  const end = texts[1]!.length;
  const range = { start: { line: 1, character: end }, end: { line: 2, character: 0 } };
  assert.deepEqual(findings[0]!.range, range);
  assert.equal(findings[0]!.message, 'Line ends with CRLF but 2 of 3 lines end with LF.');
  assert.deepEqual(findings[0]!.fix?.edits, [{ range, newText: '\n' }]);
});
