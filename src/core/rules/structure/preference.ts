/**
 * Preference pairs as TRL's DPO and reward trainers read them: `prompt`, `chosen` and `rejected` all
 * strings (standard) or all message lists (conversational, the answers as assistant turns). A pair in
 * mixed shapes fails in the trainer's chat templating; an empty or identical pair trains nothing (DPO's
 * loss on chosen = rejected is constant, a reward model learns no margin).
 */
import type { LineChecker, LineContext } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';
import { isRecord, rangeOf } from '../line-spans.ts';

const PREFERENCE_SHAPE: RuleMeta = {
  code: 'structure/preference-shape',
  family: 'structure',
  description:
    'A preference pair whose prompt, chosen and rejected are not all strings or all message lists, or whose answers are not assistant turns.',
  // An error: TRL applies the chat template to all three or to none, and fails on a mix.
  defaultSeverity: 'error',
  fixable: false,
};

const PREFERENCE_PAIR: RuleMeta = {
  code: 'structure/preference-pair',
  family: 'structure',
  description: 'A preference pair whose chosen or rejected answer is empty, or the same as the other.',
  defaultSeverity: 'warning',
  fixable: false,
};

type Field = 'prompt' | 'chosen' | 'rejected';

type Shape = 'string' | 'messages' | 'turn' | 'absent' | 'other';

function shapeOf(value: unknown): Shape {
  if (value === undefined) return 'absent';
  if (typeof value === 'string') return 'string';
  if (Array.isArray(value) && value.every((m) => isRecord(m) && typeof m['role'] === 'string'))
    return 'messages';
  // LLaMA-Factory's ranking data: each answer one ShareGPT turn.
  if (isRecord(value) && typeof value['from'] === 'string' && 'value' in value) return 'turn';
  return 'other';
}

/** The text of an answer: the string, a turn's value, or its messages' string contents joined. */
function answerText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isRecord(value)) return typeof value['value'] === 'string' ? value['value'] : '';
  if (!Array.isArray(value)) return '';
  return value.map((m) => (isRecord(m) && typeof m['content'] === 'string' ? m['content'] : '')).join('\n');
}

function fieldRange(context: LineContext, field: Field, path: (string | number)[] = []) {
  return rangeOf(context, context.json!.valueSpan([field, ...path]) ?? context.json!.keySpan([field]));
}

const DESCRIBE: Record<Shape, string> = {
  string: 'a string',
  messages: 'a message list',
  turn: 'one ShareGPT turn',
  absent: 'missing',
  other: 'neither a string nor a message list',
};

/** The field whose shape does not fit the others, or undefined when the pair reads one way. */
function oddField(shapes: Record<Field, Shape>, sharegpt: boolean): Field | undefined {
  const fields: Field[] = ['chosen', 'rejected', 'prompt'];
  if (sharegpt) return fields.find((f) => f !== 'prompt' && shapes[f] !== 'turn');
  const odd = fields.find(
    (f) => shapes[f] === 'other' || shapes[f] === 'turn' || (f !== 'prompt' && shapes[f] === 'absent'),
  );
  if (odd !== undefined) return odd;
  if (shapes.chosen !== shapes.rejected) return 'rejected';
  // An implicit prompt (no "prompt": the answers' shared start) fits either form.
  if (shapes.prompt !== 'absent' && shapes.prompt !== shapes.chosen) return 'prompt';
  return undefined;
}

export const preferenceChecker: LineChecker = {
  kind: 'line',
  rules: [PREFERENCE_SHAPE, PREFERENCE_PAIR],
  check(context, report) {
    if (context.example?.format !== 'preference') return;
    const value = context.json!.value as Record<Field, unknown>;
    const shapes = {
      prompt: shapeOf(value.prompt),
      chosen: shapeOf(value.chosen),
      rejected: shapeOf(value.rejected),
    };
    const sharegpt = Array.isArray((value as Record<string, unknown>)['conversations']);
    const odd = oddField(shapes, sharegpt);
    if (odd !== undefined) {
      const other: Field = odd === 'chosen' ? 'rejected' : 'chosen';
      report(PREFERENCE_SHAPE.code, {
        message: sharegpt
          ? `"${odd}" is ${DESCRIBE[shapes[odd]]}; beside "conversations" (LLaMA-Factory's ranking data) each answer is one {"from", "value"} turn.`
          : shapes[odd] === 'other' || shapes[odd] === 'turn' || shapes[odd] === 'absent'
            ? `"${odd}" is ${DESCRIBE[shapes[odd]]}; TRL reads each of prompt, chosen and rejected as a string or as a list of {"role", "content"} messages.`
            : `"${odd}" is ${DESCRIBE[shapes[odd]]} but "${other}" is ${DESCRIBE[shapes[other]]}; TRL reads a pair as all strings or all message lists and fails on a mix.`,
        range: fieldRange(context, odd),
        related: [{ range: fieldRange(context, other), message: `"${other}"` }],
      });
      return;
    }
    if (sharegpt) {
      for (const field of ['chosen', 'rejected'] as const) {
        const from = (value[field] as Record<string, unknown>)['from'];
        if (from === 'gpt' || from === 'assistant') continue;
        report(PREFERENCE_SHAPE.code, {
          message: `"${field}" is a ${JSON.stringify(from)} turn; the answers of a pair are the assistant's ("gpt").`,
          range: fieldRange(context, field, ['from']),
        });
        return;
      }
    }
    // With an implicit prompt the answers start with the shared turns; with an explicit one they are the assistant's alone.
    if (shapes.chosen === 'messages' && shapes.prompt !== 'absent') {
      for (const field of ['chosen', 'rejected'] as const) {
        const list = value[field] as Record<string, unknown>[];
        const index = list.findIndex((m) => m['role'] !== 'assistant');
        if (index === -1) continue;
        report(PREFERENCE_SHAPE.code, {
          message: `"${field}" holds a ${JSON.stringify(list[index]!['role'])} turn; the answers of a pair are the assistant's, the conversation before them belongs in "prompt".`,
          range: fieldRange(context, field, [index, 'role']),
        });
        return;
      }
    }
    const chosen = answerText(value.chosen).trim();
    const rejected = answerText(value.rejected).trim();
    for (const [field, text] of [
      ['chosen', chosen],
      ['rejected', rejected],
    ] as const) {
      if (text !== '') continue;
      report(PREFERENCE_PAIR.code, {
        message: `"${field}" is empty: the pair compares an answer with nothing.`,
        range: fieldRange(context, field),
      });
      return;
    }
    if (chosen === rejected) {
      report(PREFERENCE_PAIR.code, {
        message:
          '"chosen" and "rejected" are the same answer: there is no preference to learn (the DPO loss of such a pair is constant).',
        range: fieldRange(context, 'rejected'),
        related: [{ range: fieldRange(context, 'chosen'), message: '"chosen"' }],
      });
    }
  },
};
