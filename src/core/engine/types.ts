/**
 * The vocabulary of the lint engine. Positions follow LSP: 0-based lines, and characters counted in
 * UTF-16 code units inside the line (what JavaScript string indices are), so a finding maps onto an
 * editor range without conversion.
 */
import type { RuleFamily } from '../rules/declarations.ts';

export type Severity = 'error' | 'warning' | 'info' | 'hint';
export type SeveritySetting = Severity | 'off';

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface TextEdit {
  range: Range;
  newText: string;
}

export interface Fix {
  /** Imperative, shown as the quick fix title: "Replace with <EMAIL>". */
  title: string;
  edits: TextEdit[];
}

export interface RelatedLocation {
  /** Absent when the location is in the same file as the finding. */
  file?: string;
  range: Range;
  message: string;
}

export type FindingTag = 'unnecessary';

export interface Finding {
  code: string;
  severity: Severity;
  message: string;
  range: Range;
  related?: RelatedLocation[];
  fix?: Fix;
  tags?: FindingTag[];
  /** Facts for other passes and the charts, which must not parse the message; never shown. */
  data?: FindingData;
}

/**
 * A `consistency/near-duplicate` cluster, whose related locations are capped: its size, and every
 * line in it (ascending; the exact copies it links too) so that the semantic pass leaves all of its
 * pairs alone. Lines, 4 bytes each, not pairs: 391 KB for the largest cluster measured (97,869).
 * Crosses worker boundaries by structured clone; `toDiagnostic` leaves it out of what the editor gets.
 */
interface FindingData {
  clusterSize: number;
  clusterLines: Uint32Array;
}

/** The families are declared, with their options, in `rules/declarations.ts`. */
export type { RuleFamily };

export interface RuleMeta {
  /** Stable code, `family/name`, e.g. `pii/credit-card`. Never renamed once released. */
  code: string;
  family: RuleFamily;
  /** One sentence: what the rule finds. */
  description: string;
  defaultSeverity: SeveritySetting;
  /** Whether findings of this rule usually carry a mechanical fix. */
  fixable: boolean;
}

/** Where a rule's documentation lives; diagnostics link to it. */
export function docsUrl(code: string): string {
  return `https://github.com/tunesmith/tunesmith/blob/main/docs/rules/${code.replace('/', '-')}.md`;
}

/**
 * The line terminator that ended a line; '' for a last line without one. A lone '\r' ends a line only
 * in the editor's documents (LSP counts it as a line break, so positions depend on it); files read
 * from disk split at '\n' alone, as JSONL readers do.
 */
export type LineEnding = '\n' | '\r\n' | '\r' | '';

/** One physical line of a dataset, as a reader hands it to the engine. */
export interface LineInput {
  /** 0-based line number. */
  line: number;
  /** The line's text without its terminator (and without a leading BOM on line 0). */
  text: string;
  eol: LineEnding;
  /** Set on line 0 when the file started with a UTF-8 byte order mark. */
  bom?: boolean;
  /** Character index of the first byte sequence that was not valid UTF-8 (decoded as U+FFFD). */
  invalidUtf8At?: number;
  /**
   * Set when the line exceeded the configured maximum and the reader did not keep its text
   * (`text` is then ''), so that one huge line cannot exhaust memory. In characters, or in bytes (an
   * upper bound) for a line so long that it was never decoded.
   */
  truncatedLength?: number;
}
