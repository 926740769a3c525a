/** What the content rules share: the string turns of an example, and a fix that rewrites one value. */
import type { Turn } from '../../engine/formats.ts';
import type { Span } from '../../engine/json-line.ts';
import type { LineContext } from '../../engine/rule.ts';
import type { Fix, Range } from '../../engine/types.ts';

/**
 * The turns whose content is a string: the candidates of the content rules. A rule reports on one only
 * where `heldSpan` finds its string in the line; that needs the line's syntax tree, so it is asked
 * only once a turn's text has a finding (building the tree for every line cost a fifth of the lint).
 */
export function stringTurns(context: LineContext): Turn[] {
  if (!context.json) return [];
  return (context.example?.turns ?? []).filter((turn) => turn.contentKind === 'string');
}

/** The span of a string turn's value in the line (quotes included), or undefined when it is not there. */
export function heldSpan(context: LineContext, turn: Turn): Span | undefined {
  return context.json?.valueSpan(turn.contentPath);
}

/** "The answer" or "The text", for messages. */
export function subject(turn: Turn): string {
  return turn.canonicalRole === 'assistant' ? 'The answer' : 'The text';
}

/** The range of a turn's string (`heldSpan`), and a fix that replaces it with `value`. */
export function replaceValue(
  context: LineContext,
  span: Span,
  title: string,
  value: string,
): { range: Range; fix: Fix } {
  const range = context.range(span);
  return { range, fix: { title, edits: [{ range, newText: JSON.stringify(value) }] } };
}
