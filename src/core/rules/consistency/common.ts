/** Small helpers the consistency rules share. */
import { severityOf, type ResolvedConfig } from '../../engine/config.ts';
import { answerTurn, type Turn } from '../../engine/formats.ts';
import type { LineContext } from '../../engine/rule.ts';
import type { Range, RuleMeta } from '../../engine/types.ts';
import { hashJson } from './hashing.ts';

export function isOn(config: ResolvedConfig, rule: RuleMeta): boolean {
  return severityOf(config, rule.code, rule.family, rule.defaultSeverity) !== 'off';
}

/** The range of a turn's content value (quotes included), or of the whole line when it cannot be found. */
export function contentRange(context: LineContext, turn: Turn | undefined): Range {
  const span = turn ? context.json?.valueSpan(turn.contentPath) : undefined;
  return span ? context.range(span) : context.lineRange();
}

/** The answer turn of a line, when it has one with text. */
export function answerOf(context: LineContext): Turn | undefined {
  const turn = context.example ? answerTurn(context.example) : undefined;
  return turn?.content !== undefined ? turn : undefined;
}

/** "line 12" for messages: users count lines from 1. */
export function lineLabel(line: number): string {
  return `line ${line + 1}`;
}

/** "lines 3, 9 and 4 more" */
export function linesLabel(lines: number[], max = 5, total = lines.length): string {
  const shown = lines.slice(0, max).map((l) => String(l + 1));
  const rest = total - shown.length;
  return `${total === 1 ? 'line' : 'lines'} ${shown.join(', ')}${rest > 0 ? ` and ${rest} more` : ''}`;
}

/** Related locations are capped: a line duplicated 10,000 times must not carry 10,000 links. */
export const MAX_RELATED = 10;

/** The last line hashed: the checkers that use the hash run one after another on each line. */
let lastJson: object | undefined;
let lastHash = 0;

/**
 * The canonical-JSON hash of a parsed line, computed once per line although two checkers use it
 * (checkers of one line share its `JsonLine`). A one-entry cache rather than a WeakMap: a WeakMap
 * entry per line made every garbage collection trace an ephemeron table as long as a batch.
 */
export function exactHash(context: LineContext): number | undefined {
  const json = context.json;
  if (!json?.ok) return undefined;
  if (json !== lastJson) {
    lastHash = hashJson(json.value);
    lastJson = json;
  }
  return lastHash;
}
