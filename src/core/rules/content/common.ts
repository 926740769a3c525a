/** What the content rules share: the string turns of an example, and a fix that rewrites one value. */
import type { Turn } from '../../engine/formats.ts';
import type { LineContext } from '../../engine/rule.ts';
import type { Fix, Range } from '../../engine/types.ts';

/** The turns whose content is a string that the line holds (a span to report on). */
export function stringTurns(context: LineContext): Turn[] {
  const json = context.json;
  if (!json) return [];
  return (context.example?.turns ?? []).filter(
    (turn) => turn.contentKind === 'string' && json.valueSpan(turn.contentPath) !== undefined,
  );
}

/** "The answer" or "The text", for messages. */
export function subject(turn: Turn): string {
  return turn.canonicalRole === 'assistant' ? 'The answer' : 'The text';
}

/** The range of a turn's string, and a fix that replaces it with `value`. */
export function replaceValue(
  context: LineContext,
  turn: Turn,
  title: string,
  value: string,
): { range: Range; fix: Fix } {
  const range = context.range(context.json!.valueSpan(turn.contentPath)!);
  return { range, fix: { title, edits: [{ range, newText: JSON.stringify(value) }] } };
}
