/**
 * Which examples the evaluation panel lists, in which order: the filter (an outcome, both wrong, a
 * flip-table cell), the full-text search and the sort. Pure functions of the report, no DOM, so the
 * unit tests run them on node. Rows are positions in `report.examples`.
 */
import type { EvaluationExample, EvaluationReport, Outcome } from '../../src/shared/evaluation-report.ts';
import type { RowFilter, RowSort } from '../../src/shared/evaluation-protocol.ts';
import { exampleDelta, exampleScore, flipCell } from '../../src/shared/evaluation-view.ts';

export interface RowView {
  filter: RowFilter;
  sort: RowSort;
  query: string;
}

export const DEFAULT_VIEW: RowView = { filter: { kind: 'all' }, sort: { key: 'index' }, query: '' };

/** Both outputs wrong by normalised exact match (tuned alone in a one-system report); errors excluded. */
function bothWrong(example: EvaluationExample): boolean {
  if (example.outcome === 'error') return false;
  return example.correct.tuned === false && example.correct.base !== true;
}

function matchesFilter(report: EvaluationReport, example: EvaluationExample, filter: RowFilter): boolean {
  switch (filter.kind) {
    case 'all':
      return true;
    case 'outcome':
      return example.outcome === filter.outcome;
    case 'bothWrong':
      return bothWrong(example);
    case 'flip': {
      const table = report.comparison?.flips[filter.table];
      return table !== undefined && flipCell(example, table) === filter.cell;
    }
  }
}

/**
 * The search: every word of the query (case-insensitive, as typed, no pattern syntax) must occur in
 * the prompt, the reference, an output or the error; `#12` finds example 12. Null for an empty query.
 */
export function searchMatcher(query: string): ((example: EvaluationExample) => boolean) | null {
  const words = query.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0) return null;
  const index = /^#(\d+)$/.exec(query.trim());
  if (index) {
    const wanted = Number(index[1]);
    return (example) => example.index === wanted;
  }
  // A regular expression per word, not a lower-cased copy of every text: 10,000 long examples would
  // allocate tens of megabytes per keystroke.
  const patterns = words.map((word) => new RegExp(word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'iu'));
  return (example) => patterns.every((pattern) => texts(example).some((text) => pattern.test(text)));
}

function texts(example: EvaluationExample): string[] {
  const all = [example.prompt, example.reference, example.outputs.tuned];
  if (example.outputs.base !== undefined) all.push(example.outputs.base);
  if (example.error !== undefined) all.push(example.error);
  for (const turn of example.messages ?? []) all.push(turn.content);
  return all;
}

/** The value a row is sorted by, or null (sorted last either way). */
export function sortValue(example: EvaluationExample, sort: RowSort): number | null {
  if (sort.key === 'index') return example.index;
  return sort.of === 'delta' ? exampleDelta(example, sort.key) : exampleScore(example, sort.of, sort.key);
}

/** Stable: equal values keep the report's order; rows without a value go last in both directions. */
export function sortRows(report: EvaluationReport, rows: number[], sort: RowSort): number[] {
  if (sort.key === 'index') return rows;
  const keys = new Float64Array(report.examples.length);
  for (const row of rows) keys[row] = sortValue(report.examples[row]!, sort) ?? Number.NaN;
  const direction = sort.descending ? -1 : 1;
  return rows.slice().sort((a, b) => {
    const x = keys[a]!;
    const y = keys[b]!;
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? a - b : 1) : -1;
    return x === y ? a - b : (x - y) * direction;
  });
}

/** The rows shown, in order. */
export function visibleRows(report: EvaluationReport, view: RowView): number[] {
  const search = searchMatcher(view.query);
  const rows: number[] = [];
  report.examples.forEach((example, row) => {
    if (matchesFilter(report, example, view.filter) && (search === null || search(example))) rows.push(row);
  });
  return sortRows(report, rows, view.sort);
}

export type FilterCounts = Record<Outcome | 'all' | 'bothWrong', number>;

export function filterCounts(report: EvaluationReport): FilterCounts {
  const counts: FilterCounts = { all: 0, improved: 0, regressed: 0, unchanged: 0, error: 0, bothWrong: 0 };
  for (const example of report.examples) {
    counts.all += 1;
    counts[example.outcome] += 1;
    if (bothWrong(example)) counts.bothWrong += 1;
  }
  return counts;
}
