/** Which examples the evaluation panel lists, in which order: filters, flip cells, search, sort. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { METRICS } from '../../../src/shared/evaluation-report.ts';
import { exampleDelta } from '../../../src/shared/evaluation-view.ts';
import {
  DEFAULT_VIEW,
  filterCounts,
  searchMatcher,
  sortRows,
  sortValue,
  visibleRows,
  type RowView,
} from '../../../webview/evaluation/rows.ts';
import { fixtureReport, largeReport } from '../../webview/evaluation-reports.ts';

const view = (change: Partial<RowView>): RowView => ({ ...DEFAULT_VIEW, ...change });

test('outcome filters list the fixture’s improved, unchanged and both-wrong examples', () => {
  const report = fixtureReport();
  assert.deepEqual(visibleRows(report, DEFAULT_VIEW), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(
    visibleRows(report, view({ filter: { kind: 'outcome', outcome: 'improved' } })),
    [0, 2, 3, 5],
  );
  assert.deepEqual(visibleRows(report, view({ filter: { kind: 'outcome', outcome: 'unchanged' } })), [1, 4]);
  assert.deepEqual(visibleRows(report, view({ filter: { kind: 'outcome', outcome: 'regressed' } })), []);
  assert.deepEqual(
    visibleRows(report, view({ filter: { kind: 'bothWrong' } })),
    [3],
    'Kenya: neither is right',
  );
  assert.deepEqual(filterCounts(report), {
    all: 6,
    improved: 4,
    regressed: 0,
    unchanged: 2,
    error: 0,
    bothWrong: 1,
  });
});

test('a flip-table cell lists exactly as many examples as the cell counts', () => {
  for (const report of [fixtureReport(), largeReport(300, { seed: 3 })]) {
    report.comparison!.flips.forEach((table, index) => {
      for (const cell of ['both_right', 'base_only', 'tuned_only', 'both_wrong'] as const) {
        const rows = visibleRows(report, view({ filter: { kind: 'flip', table: index, cell } }));
        assert.equal(rows.length, table[cell], `${table.metric} ${cell}`);
      }
    });
  }
  const report = fixtureReport();
  const fixes = visibleRows(report, view({ filter: { kind: 'flip', table: 0, cell: 'tuned_only' } }));
  assert.deepEqual(fixes, [0, 2, 5], 'Peru, Japan, Egypt: wrong for base, right for tuned');
  assert.deepEqual(visibleRows(report, view({ filter: { kind: 'flip', table: 9, cell: 'both_right' } })), []);
});

test('search: every word, case-insensitive, literal (no pattern syntax), in any text; #N finds example N', () => {
  const report = fixtureReport();
  const find = (query: string) => visibleRows(report, view({ query }));
  assert.deepEqual(find('KENYA'), [3]);
  assert.deepEqual(find('capital mombasa'), [3], 'both words, in different texts of one example');
  assert.deepEqual(find("don't"), [3], 'the base output');
  assert.deepEqual(find('alexandria'), [5]);
  assert.deepEqual(find('.*'), [], 'a dot and a star are text, not a pattern');
  assert.deepEqual(find('#4'), [4]);
  assert.deepEqual(find('   '), [0, 1, 2, 3, 4, 5]);
  assert.equal(searchMatcher(''), null);
  report.examples[2]!.outputs.tuned = 'Tōkyō (東京)';
  assert.deepEqual(find('TŌKYŌ (東'), [2]);
});

test('filter and search combine', () => {
  const report = fixtureReport();
  const rows = visibleRows(
    report,
    view({ filter: { kind: 'outcome', outcome: 'improved' }, query: 'France' }),
  );
  assert.deepEqual(rows, []);
});

test('sorted by the change of F1, largest first; ties keep the report’s order', () => {
  const report = fixtureReport();
  const rows = visibleRows(report, view({ sort: { key: 'f1', of: 'delta', descending: true } }));
  // Kenya +0.83, Japan +0.71, Peru +0.69, Egypt +0.17, then France and Chile (0) in the report's order.
  assert.deepEqual(rows, [3, 2, 0, 5, 1, 4]);
  const ascending = visibleRows(report, view({ sort: { key: 'f1', of: 'base', descending: false } }));
  assert.deepEqual(ascending, [3, 2, 0, 5, 1, 4], 'base F1 0, 0.29, 0.31, 0.83, then 1 and 1');
});

test('sorting is a stable permutation, ordered by the value, rows without one last', () => {
  const report = largeReport(200, { seed: 5, words: 12 });
  report.examples[7]!.scores.tuned.length_ratio = null;
  report.examples[9]!.scores.tuned.length_ratio = null;
  delete report.examples[11]!.scores.base;
  fc.assert(
    fc.property(
      fc.constantFrom(...METRICS),
      fc.constantFrom('base', 'tuned', 'delta' as const),
      fc.boolean(),
      (key, of, descending) => {
        const sort = { key, of, descending };
        const rows = sortRows(report, [...report.examples.keys()], sort);
        assert.deepEqual(
          [...rows].sort((a, b) => a - b),
          [...report.examples.keys()],
        );
        const values = rows.map((row) => sortValue(report.examples[row]!, sort));
        const firstNull = values.indexOf(null);
        if (firstNull >= 0) assert.ok(values.slice(firstNull).every((value) => value === null));
        for (let i = 1; i < rows.length; i += 1) {
          const [a, b] = [values[i - 1] ?? null, values[i] ?? null];
          if (a === null || b === null) continue;
          if (a === b) assert.ok(rows[i - 1]! < rows[i]!, 'stable');
          else assert.ok(descending ? a > b : a < b);
        }
      },
    ),
  );
  assert.equal(exampleDelta(report.examples[11]!, 'f1'), null);
});
