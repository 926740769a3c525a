/**
 * What one keystroke costs does not grow with the number of findings. The dataset checkers are
 * wrapped to count what the document asks of them: after typing in a line of a file with thousands
 * of duplicates, no checker reports in full, the updates re-report only the edited line's findings
 * and read only the lines those are about; the same keystrokes in a file with twice as many
 * duplicates cost exactly the same. (scale.test.ts checks that a publication holds at most 1,000
 * diagnostics.) Counts, not times: they do not flake on a busy machine.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveConfig } from '../../src/core/engine/config.ts';
import type { Checker, DatasetChecker, LineAccess } from '../../src/core/engine/rule.ts';
import { ALL_CHECKERS } from '../../src/core/rules/index.ts';
import { LintedDocument } from '../../src/server/lsp/linted-document.ts';
import { chat, words } from '../unit/rules/consistency-fixtures.ts';

interface Work {
  fullReports: number;
  updates: number;
  /** Findings reported by updates. */
  reported: number;
  /** Lines read back (parsed again) by reports and updates. */
  linesRead: number;
  /** Ids added to or removed from an index (a line that moves without `move` costs two). */
  keyed: number;
}

const work: Work = { fullReports: 0, updates: 0, reported: 0, linesRead: 0, keyed: 0 };
const resetWork = (): void => {
  Object.assign(work, { fullReports: 0, updates: 0, reported: 0, linesRead: 0, keyed: 0 });
};

function counted(checker: DatasetChecker): DatasetChecker {
  const reading = (lines: LineAccess): LineAccess => ({
    lineOf: (id) => lines.lineOf(id),
    context: (id) => {
      work.linesRead++;
      return lines.context(id);
    },
  });
  return {
    ...checker,
    createIndex(config) {
      const index = checker.createIndex(config);
      const update = index.update?.bind(index);
      const move = index.move?.bind(index);
      return {
        add: (id, facts) => {
          work.keyed++;
          index.add(id, facts);
        },
        remove: (id, facts) => {
          work.keyed++;
          index.remove(id, facts);
        },
        ...(move && { move }),
        report(lines, report) {
          work.fullReports++;
          index.report(reading(lines), report);
        },
        ...(update && {
          update(lines, report, restate) {
            work.updates++;
            return update(
              reading(lines),
              (code, draft) => {
                work.reported++;
                report(code, draft);
              },
              restate,
            );
          },
        }),
      };
    },
  };
}

const checkers: Checker[] = ALL_CHECKERS.map((c) => (c.kind === 'dataset' ? counted(c) : c));

/** Examples unlike each other (random words), so that only the copies have findings. */
const example = (i: number): string => chat(`Question ${words(16, i + 1)}`, words(16, i + 100_000));

/**
 * Opens a file of `pairs` examples each followed by a copy, then `copies` copies of one example,
 * and makes the same few keystrokes in it; returns what each one cost.
 */
function keystrokes(pairs: number, copies: number): Work[] {
  const lines: string[] = [];
  for (let i = 0; i < pairs; i++) lines.push(example(i), example(i));
  for (let i = 0; i < copies; i++) lines.push(example(-1));
  const document = new LintedDocument(lines.join('\n') + '\n', resolveConfig({}).config, checkers);
  const warnings = (): number => document.findings().filter((f) => f.severity === 'warning').length;
  assert.equal(warnings(), pairs + copies - 1);
  /** Replaces `length` characters after the 'Q' of a line's question by `text`. */
  const at = example(0).indexOf('Question') + 1;
  const edit = (line: number, length: number, text: string): Work => {
    resetWork();
    document.applyChanges([
      { range: { start: { line, character: at }, end: { line, character: at + length } }, text },
    ]);
    lines[line] = lines[line]!.slice(0, at) + text + lines[line]!.slice(at + length);
    document.findings(false); // what the server publishes first, then the complete set
    assert.ok(warnings() >= pairs + copies - 2);
    return { ...work };
  };
  const copy = 2 * pairs + Math.floor(copies / 2);
  return [
    edit(101, 0, 'x'), // the second of a pair
    edit(101, 1, ''), // and back
    edit(copy, 0, 'y'), // one of the copies
    edit(copy, 1, ''), // and back
    edit(100, 0, 'z'), // the first of a pair
  ];
}

test('a keystroke costs the same with twice as many duplicates, and reports nothing in full', () => {
  const small = keystrokes(1000, 1500);
  const large = keystrokes(2000, 3000);
  assert.deepEqual(large, small);
  for (const cost of large) assert.equal(cost.fullReports, 0);
  // Each re-reports a handful of findings (the line's own, and near-duplicates in the window of
  // lines compared with it), never the thousands of duplicates.
  for (const cost of large)
    assert.ok(cost.reported <= 12 && cost.linesRead <= 2 * cost.reported, JSON.stringify(cost));
});

/**
 * Pastes a block of `block` lines in the middle of a file of `lines` examples (a few pairs of copies
 * among them), then deletes it; returns what each edit cost, once its findings are complete.
 */
function blockEdits(lines: number, block: number): Work[] {
  const text: string[] = [];
  for (let i = 0; i < lines; i++) text.push(i % 500 === 1 ? text[i - 1]! : example(i));
  const document = new LintedDocument(text.join('\n') + '\n', resolveConfig({}).config, checkers);
  const before = document.findings();
  const middle = Math.floor(lines / 2);
  const pasted = Array.from({ length: block }, (_, i) => example(lines + i)).join('\n') + '\n';
  const at = (line: number) => ({ line, character: 0 });
  const costs: Work[] = [];
  for (const change of [
    { range: { start: at(middle), end: at(middle) }, text: pasted },
    { range: { start: at(middle), end: at(middle + block) }, text: '' },
  ]) {
    resetWork();
    document.applyChanges([change]);
    document.findings(false); // the first publication, then the complete one
    document.findings();
    costs.push({ ...work });
  }
  // Back where it began: the same findings as before the paste.
  assert.deepEqual(document.findings(), before);
  return costs;
}

test('a pasted or deleted block of lines costs what it changed, not the lines below it', () => {
  const small = blockEdits(2000, 50);
  const large = blockEdits(4000, 50);
  // No index re-keys the lines below (each has `move`): the block's lines, plus the one line the
  // paste splits, are added or removed once per checker. The updates re-report only the findings
  // that moved (one per pair of copies below the edit: what grows with the file here), not all.
  const checkersWithFacts = checkers.filter((c) => c.kind === 'dataset').length;
  for (const [i, cost] of large.entries()) {
    assert.ok(cost.keyed <= checkersWithFacts * (50 + 2), JSON.stringify(cost));
    assert.equal(cost.keyed, small[i]!.keyed);
    assert.ok(cost.reported <= 4000 / 2 / 500, JSON.stringify(cost));
    assert.ok(cost.linesRead <= 100 + 2 * cost.reported, JSON.stringify(cost));
  }
});
