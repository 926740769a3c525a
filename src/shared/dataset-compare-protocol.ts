/**
 * Messages between the extension and the dataset comparison panel ("Compare Dataset with
 * Revision…"). The host sends one report, the core's `DatasetDiff` (what `tunesmith diff --json`
 * prints); the page asks for it when it loads and may ask to open a line of the current file. Two
 * small messages each way, so their guards are written here rather than generated from a schema;
 * every text of the report is dataset text and reaches the page as text only.
 */
import type { DatasetDiff } from '../core/diff/dataset-diff.ts';

/** Extension → comparison panel. */
export interface CompareReportMessage {
  type: 'report';
  /** How each side is shown: `set.jsonl@1a2b3c4` and `set.jsonl`. */
  old: string;
  new: string;
  diff: DatasetDiff;
}

/** Comparison panel → extension. `line` is 1-based, as the report lists it. */
export type ComparePageMessage = { type: 'ready' } | { type: 'openLine'; line: number };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function isComparePageMessage(value: unknown): value is ComparePageMessage {
  if (!isRecord(value)) return false;
  if (value['type'] === 'ready') return Object.keys(value).length === 1;
  return (
    value['type'] === 'openLine' &&
    Object.keys(value).length === 2 &&
    Number.isInteger(value['line']) &&
    (value['line'] as number) >= 1
  );
}

/** The host is ours, but a page outlives a host of another version: the shape the page reads. */
export function isCompareReportMessage(value: unknown): value is CompareReportMessage {
  if (!isRecord(value) || value['type'] !== 'report') return false;
  const diff = value['diff'];
  return (
    typeof value['old'] === 'string' &&
    typeof value['new'] === 'string' &&
    isRecord(diff) &&
    Array.isArray(diff['summary']) &&
    isRecord(diff['examples']) &&
    isRecord(diff['drift'])
  );
}
