/**
 * The fix planner's rule (engine/fixes.ts) on hand-made fixes: what overlaps, what touches, what meets
 * at a line start; and, on random fixes, a plan that does not depend on the order findings come in.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { planFixes } from '../../src/core/engine/fixes.ts';
import type { Finding, TextEdit } from '../../src/core/engine/types.ts';

const edit = (line: number, from: number, toLine: number, to: number, newText = ''): TextEdit => ({
  range: { start: { line, character: from }, end: { line: toLine, character: to } },
  newText,
});

const finding = (code: string, ...edits: TextEdit[]): Finding => ({
  code,
  severity: 'warning',
  message: code,
  range: edits[0]!.range,
  fix: { title: code, edits },
});

const taken = (findings: Finding[]): string[] => [...planFixes(findings).applied.keys()].sort();

test('overlapping fixes: the one that starts first (then ends first) is taken', () => {
  assert.deepEqual(taken([finding('b', edit(0, 3, 0, 9)), finding('a', edit(0, 5, 0, 12))]), ['b']);
  assert.deepEqual(taken([finding('long', edit(0, 3, 0, 9)), finding('short', edit(0, 3, 0, 4))]), ['short']);
  // Same range: by code, whatever order they came in.
  const rivals = [finding('z/x', edit(0, 3, 0, 4, 'Z')), finding('a/x', edit(0, 3, 0, 4, 'A'))];
  assert.deepEqual(planFixes(rivals).edits, planFixes([...rivals].reverse()).edits);
  assert.equal(planFixes(rivals).edits[0]!.newText, 'A');
});

test('fixes that touch inside a line wait for the next run, as in ESLint and ruff', () => {
  const plan = planFixes([finding('a', edit(0, 3, 0, 9, 'X')), finding('b', edit(0, 9, 0, 12, 'Y'))]);
  assert.deepEqual([...plan.applied.keys()], ['a']);
  assert.equal(plan.skipped, 1);
  // Two insertions at one point have no order.
  assert.equal(
    planFixes([finding('a', edit(2, 4, 2, 4, 'x')), finding('b', edit(2, 4, 2, 4, 'y'))]).skipped,
    1,
  );
  // An insertion where a replacement ends, and a replacement where an insertion is.
  assert.equal(
    planFixes([finding('a', edit(2, 0, 2, 4, 'x')), finding('b', edit(2, 4, 2, 4, 'y'))]).skipped,
    1,
  );
  assert.equal(
    planFixes([finding('a', edit(2, 4, 2, 4, 'x')), finding('b', edit(2, 4, 2, 6, 'y'))]).skipped,
    1,
  );
});

test('fixes that meet at a line start, the first having replaced text up to it, are both taken', () => {
  // Deleting two consecutive duplicate lines, then a line-ending fix and deleting the line after it.
  const deletions = [finding('dup', edit(1, 0, 2, 0)), finding('dup', edit(2, 0, 3, 0))];
  assert.equal(planFixes(deletions).applied.get('dup'), 2);
  const eolThenBlank = [finding('eol', edit(4, 10, 5, 0, '\n')), finding('blank', edit(5, 0, 6, 0))];
  assert.deepEqual(taken(eolThenBlank), ['blank', 'eol']);
  // An insertion at a line start is not a replacement up to it: what follows it still waits.
  const afterInsert = [finding('ins', edit(5, 0, 5, 0, 'x')), finding('del', edit(5, 0, 6, 0))];
  assert.deepEqual(taken(afterInsert), ['ins']);
});

test('a fix is taken whole or not at all; malformed fixes and unread lines are skipped', () => {
  const twoEdits = finding('pair', edit(0, 1, 0, 2, 'a'), edit(3, 1, 3, 2, 'b'));
  const inBetween = finding('mid', edit(1, 0, 1, 3, 'c'));
  assert.deepEqual(taken([twoEdits, inBetween]), ['pair']); // it spans lines 0 to 3
  assert.equal(planFixes([finding('self', edit(0, 1, 0, 5), edit(0, 3, 0, 7))]).skipped, 1);
  assert.equal(planFixes([finding('reversed', edit(0, 5, 0, 1))]).skipped, 1);
  const unread = (line: number): boolean => line === 7;
  assert.equal(planFixes([finding('eol', edit(7, 9, 8, 0, '\n'))], { unread }).skipped, 1);
  // Deleting the line before an unread one ends at its start and never reads it.
  assert.equal(planFixes([finding('del', edit(6, 0, 7, 0))], { unread }).skipped, 0);
  assert.deepEqual(taken([finding('pii/email', edit(0, 1, 0, 2)), finding('secrets/x', edit(1, 1, 1, 2))]), [
    'pii/email',
    'secrets/x',
  ]);
  assert.equal(
    planFixes([finding('pii/email', edit(0, 1, 0, 2)), finding('secrets/x', edit(1, 1, 1, 2))], {
      wanted: (code) => code.startsWith('pii/'),
    }).edits.length,
    1,
  );
});

const position = fc.record({ line: fc.nat(4), character: fc.nat(6) });
const randomEdit = fc
  .tuple(position, position, fc.constantFrom('', 'x', '\n'))
  .map(([a, b, newText]): TextEdit => {
    const [start, end] =
      a.line < b.line || (a.line === b.line && a.character <= b.character) ? [a, b] : [b, a];
    return { range: { start, end }, newText };
  });
const randomFinding = fc
  .tuple(fc.constantFrom('a/x', 'b/y', 'c/z'), fc.array(randomEdit, { minLength: 1, maxLength: 2 }))
  .map(([code, edits]) => finding(code, ...edits));

test('a fix that ends with an insertion where its own deletion ends blocks a second insertion there', () => {
  const deleteLine: TextEdit = {
    range: { start: { line: 0, character: 0 }, end: { line: 1, character: 0 } },
    newText: '',
  };
  const insert: TextEdit = {
    range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } },
    newText: 'x',
  };
  const plan = planFixes([finding('a/x', insert, deleteLine), finding('a/x', { ...insert, newText: 'y' })]);
  assert.deepEqual(plan.edits, [deleteLine, insert]);
  assert.equal(plan.skipped, 1);
});

test('property: the plan does not depend on the findings’ order, and its edits never overlap', () => {
  fc.assert(
    fc.property(fc.array(randomFinding, { maxLength: 12 }), fc.nat(), (findings, seed) => {
      const plan = planFixes(findings);
      const shuffled = [...findings].sort(
        (a, b) => ((findings.indexOf(a) * 7919 + seed) % 13) - ((findings.indexOf(b) * 7919 + seed) % 13),
      );
      assert.deepEqual(planFixes(shuffled), plan);
      const taken = [...plan.applied.values()].reduce((a, b) => a + b, 0);
      assert.equal(taken + plan.skipped, findings.length);
      const offset = (p: TextEdit['range']['start']): number => p.line * 100 + p.character;
      for (let i = 1; i < plan.edits.length; i++) {
        const previous = plan.edits[i - 1]!.range;
        const next = plan.edits[i]!.range;
        const meetsAtLineStart =
          offset(next.start) === offset(previous.end) &&
          previous.end.character === 0 &&
          offset(previous.start) < offset(previous.end);
        assert.ok(offset(next.start) > offset(previous.end) || meetsAtLineStart, 'sorted, never touching');
      }
    }),
    { numRuns: 500 },
  );
});
