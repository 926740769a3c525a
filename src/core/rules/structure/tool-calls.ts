/**
 * Rules on tool calls and per-turn weights in the OpenAI chat format: whether each tool result
 * answers an earlier call by its id, whether call ids are unique, whether each call names its
 * function, and whether `weight` is the 0 or 1 OpenAI fine-tuning accepts, on an assistant turn.
 *
 * Runs on chat examples (`messages`) and TRL's conversational prompt/completion (message lists in
 * both fields, read as one conversation). ShareGPT turns (`function_call` / `observation`) carry no
 * call ids, so only the weight rules apply to them. Severities follow what refuses the line: the
 * OpenAI API (its fine-tuning validation is the reference) or the trainer; the rest are warnings.
 */
import type { Turn } from '../../engine/formats.ts';
import type { JsonPath } from '../../engine/json-line.ts';
import type { LineChecker, LineContext, Report } from '../../engine/rule.ts';
import type { RelatedLocation, RuleMeta } from '../../engine/types.ts';
import { describeType, isRecord, propertyRemovalSpan, rangeOf } from '../line-spans.ts';
import { effectiveRole } from './roles.ts';

const meta = (
  name: string,
  description: string,
  defaultSeverity: RuleMeta['defaultSeverity'],
  fixable: boolean,
): RuleMeta => ({ code: `structure/${name}`, family: 'structure', description, defaultSeverity, fixable });

const MISSING_TOOL_CALL_ID = meta(
  'missing-tool-call-id',
  'A `tool` message has no string `tool_call_id` saying which call it answers.',
  'error',
  true,
);
const UNKNOWN_TOOL_CALL_ID = meta(
  'unknown-tool-call-id',
  "A `tool` message's `tool_call_id` answers no earlier tool call of the conversation.",
  'error',
  true,
);
const DUPLICATE_TOOL_CALL_ID = meta(
  'duplicate-tool-call-id',
  'Two tool calls of one conversation have the same id.',
  'warning',
  false,
);
const EMPTY_TOOL_CALLS = meta(
  'empty-tool-calls',
  'An assistant message has an empty `tool_calls` list.',
  'error',
  true,
);
const MISSING_TOOL_NAME = meta(
  'missing-tool-name',
  'A tool call has no `function.name`, or one that is not a non-empty string.',
  'error',
  false,
);
const INVALID_WEIGHT = meta('invalid-weight', 'A turn’s `weight` is neither 0 nor 1.', 'error', true);
const WEIGHT_NOT_ASSISTANT = meta(
  'weight-not-assistant',
  'A `weight` on a turn that is not the assistant’s, where it has no effect.',
  'warning',
  true,
);

/** A call's id, where it was written and in which turn (its position in the example's turns). */
interface Call {
  id: string;
  idPath: JsonPath;
  order: number;
}

function turnRecord(context: LineContext, turn: Turn): Record<string, unknown> | undefined {
  if (turn.path.length !== 2 || typeof turn.path[1] !== 'number') return undefined;
  const list = (context.json!.value as Record<string, unknown>)[turn.path[0] as string];
  const raw: unknown = Array.isArray(list) ? list[turn.path[1]] : undefined;
  return isRecord(raw) ? raw : undefined;
}

function checkWeight(context: LineContext, report: Report, turn: Turn, raw: Record<string, unknown>): void {
  if (!('weight' in raw)) return;
  const json = context.json!;
  const path = [...turn.path, 'weight'];
  const role = effectiveRole(turn);
  if (role !== undefined && role !== 'assistant') {
    const removal = propertyRemovalSpan(json, path);
    report(WEIGHT_NOT_ASSISTANT.code, {
      message: `"weight" on a ${JSON.stringify(turn.role)} turn has no effect: only assistant turns are trained, and weight says which of them.`,
      range: rangeOf(context, json.keySpan(path)),
      tags: ['unnecessary'],
      ...(removal
        ? { fix: { title: 'Remove "weight"', edits: [{ range: context.range(removal), newText: '' }] } }
        : {}),
    });
    return;
  }
  const weight = raw['weight'];
  if (weight === 0 || weight === 1) return;
  const span = json.valueSpan(path);
  // A boolean or a quoted 0/1 says plainly which weight was meant; 0.5 does not.
  const meant = weight === true || weight === '1' ? 1 : weight === false || weight === '0' ? 0 : undefined;
  report(INVALID_WEIGHT.code, {
    message: `"weight" must be 0 (do not train this turn) or 1 (train it), not ${typeof weight === 'number' ? weight : describeType(weight)}.`,
    range: rangeOf(context, span),
    ...(meant !== undefined && span
      ? {
          fix: {
            title: `Set weight to ${meant}`,
            edits: [{ range: context.range(span), newText: String(meant) }],
          },
        }
      : {}),
  });
}

/** The calls of an assistant turn, after reporting an empty list and calls without a name. */
function readCalls(
  context: LineContext,
  report: Report,
  turn: Turn,
  raw: Record<string, unknown>,
  order: number,
): Call[] {
  const json = context.json!;
  const calls: Call[] = [];
  const list = raw['tool_calls'];
  const listPath = [...turn.path, 'tool_calls'];
  if (Array.isArray(list)) {
    if (list.length === 0) reportEmptyCalls(context, report, turn, raw);
    for (let i = 0; i < list.length; i++) {
      const call: unknown = list[i];
      const callPath = [...listPath, i];
      const fn = isRecord(call) ? call['function'] : undefined;
      if (!isRecord(fn)) {
        report(MISSING_TOOL_NAME.code, {
          message: `Tool call ${i + 1} has no "function" object with a "name"; a call is {"id", "type": "function", "function": {"name", "arguments"}}.`,
          range: rangeOf(
            context,
            json.valueSpan(isRecord(call) && 'function' in call ? [...callPath, 'function'] : callPath),
          ),
        });
      } else checkName(context, report, fn, [...callPath, 'function'], `Tool call ${i + 1}`);
      const id = isRecord(call) ? call['id'] : undefined;
      if (typeof id === 'string') calls.push({ id, idPath: [...callPath, 'id'], order });
    }
  }
  const legacy = raw['function_call'];
  if (isRecord(legacy))
    checkName(context, report, legacy, [...turn.path, 'function_call'], 'The function call');
  return calls;
}

function checkName(
  context: LineContext,
  report: Report,
  fn: Record<string, unknown>,
  fnPath: JsonPath,
  label: string,
): void {
  const name = fn['name'];
  if (typeof name === 'string' && name.trim() !== '') return;
  const json = context.json!;
  report(MISSING_TOOL_NAME.code, {
    message:
      name === undefined
        ? `${label} has no "name": the model cannot learn which function to call.`
        : `${label}'s "name" must be the function's name, not ${typeof name === 'string' ? 'an empty string' : describeType(name)}.`,
    range: rangeOf(context, json.valueSpan(name === undefined ? fnPath : [...fnPath, 'name'])),
  });
}

function reportEmptyCalls(
  context: LineContext,
  report: Report,
  turn: Turn,
  raw: Record<string, unknown>,
): void {
  const json = context.json!;
  const path = [...turn.path, 'tool_calls'];
  const hasText =
    (turn.contentKind === 'string' || turn.contentKind === 'parts') && (turn.content ?? '').trim() !== '';
  const removal = hasText ? propertyRemovalSpan(json, path) : undefined;
  const content = raw['content'];
  report(EMPTY_TOOL_CALLS.code, {
    message: hasText
      ? '"tool_calls" is empty: a message that calls no tool leaves the key out (the API refuses an empty list).'
      : `"tool_calls" is empty and "content" is ${content === undefined ? 'missing' : describeType(content) === 'a string' ? 'empty' : describeType(content)}: the turn says nothing and calls nothing, so there is nothing to train on.`,
    range: rangeOf(context, json.valueSpan(path)),
    ...(removal
      ? {
          fix: {
            title: 'Remove the empty "tool_calls"',
            edits: [{ range: context.range(removal), newText: '' }],
          },
        }
      : {}),
  });
}

/** The text of a JSON object property to insert after `{`, in the line's spacing style. */
function insertedProperty(text: string, key: string, value: string): string {
  const spaced = /"\s*:\s/.test(text);
  return `${JSON.stringify(key)}${spaced ? ': ' : ':'}${JSON.stringify(value)}${spaced ? ', ' : ','}`;
}

function checkResult(
  context: LineContext,
  report: Report,
  turn: Turn,
  raw: Record<string, unknown>,
  order: number,
  calls: readonly Call[],
  answered: Set<string>,
): void {
  const json = context.json!;
  const earlier = calls.filter((call) => call.order < order);
  const pending = earlier.filter((call) => !answered.has(call.id));
  const only = pending.length === 1 ? pending[0] : undefined;
  const relatedCall = (call: Call, message: string): RelatedLocation[] => [
    { range: rangeOf(context, json.valueSpan(call.idPath)), message },
  ];
  const id = raw['tool_call_id'];
  const idPath = [...turn.path, 'tool_call_id'];
  if (typeof id !== 'string') {
    const object = json.valueSpan(turn.path);
    const span = id === undefined ? object : json.valueSpan(idPath);
    // With one call waiting for its result, which call this answers is not in doubt.
    const fix =
      only && span
        ? id === undefined
          ? {
              range: context.range({ start: span.start + 1, end: span.start + 1 }),
              newText: insertedProperty(context.text, 'tool_call_id', only.id),
            }
          : { range: context.range(span), newText: JSON.stringify(only.id) }
        : undefined;
    report(MISSING_TOOL_CALL_ID.code, {
      message:
        id === undefined
          ? `Tool message ${Number(turn.path[1]) + 1} has no "tool_call_id"; it must name the call it answers${only ? ` (here "${only.id}", the one call waiting for its result)` : ''}.`
          : `"tool_call_id" must be the string id of the call it answers, not ${describeType(id)}.`,
      range: rangeOf(context, span),
      ...(only ? { related: relatedCall(only, 'The call waiting for this result') } : {}),
      ...(fix ? { fix: { title: `Answer call "${only!.id}"`, edits: [fix] } } : {}),
    });
    return;
  }
  if (earlier.some((call) => call.id === id)) {
    answered.add(id);
    return;
  }
  const later = calls.find((call) => call.id === id);
  const span = json.valueSpan(idPath);
  const shown = JSON.stringify(id.length > 40 ? `${id.slice(0, 37)}...` : id);
  report(UNKNOWN_TOOL_CALL_ID.code, {
    message: later
      ? `"tool_call_id" ${shown} answers a call made later in the conversation; a result must follow its call.`
      : `"tool_call_id" ${shown} answers no earlier call${pending.length > 0 ? `; calls waiting for a result: ${pending.map((call) => JSON.stringify(call.id)).join(', ')}` : earlier.length === 0 ? '; no tool was called before it' : ''}.`,
    range: rangeOf(context, span),
    ...(later
      ? { related: relatedCall(later, 'The call with this id, after its result') }
      : only
        ? { related: relatedCall(only, 'The call waiting for a result') }
        : {}),
    ...(only && span && !later
      ? {
          fix: {
            title: `Answer call "${only.id}"`,
            edits: [{ range: context.range(span), newText: JSON.stringify(only.id) }],
          },
        }
      : {}),
  });
}

export const toolCallsChecker: LineChecker = {
  kind: 'line',
  rules: [
    MISSING_TOOL_CALL_ID,
    UNKNOWN_TOOL_CALL_ID,
    DUPLICATE_TOOL_CALL_ID,
    EMPTY_TOOL_CALLS,
    MISSING_TOOL_NAME,
    INVALID_WEIGHT,
    WEIGHT_NOT_ASSISTANT,
  ],
  check(context, report) {
    const example = context.example;
    if (example === undefined) return;
    const withCalls = example.format === 'chat' || example.format === 'prompt-completion';
    if (!withCalls && example.format !== 'sharegpt') return;
    const records = example.turns.map((turn) => turnRecord(context, turn));
    if (!withCalls) {
      example.turns.forEach((turn, i) => records[i] && checkWeight(context, report, turn, records[i]));
      return;
    }
    // Calls first, all of them: a result that answers a later call is told so.
    const calls: Call[] = [];
    const firstUse = new Map<string, Call>();
    example.turns.forEach((turn, order) => {
      const raw = records[order];
      if (raw === undefined || (raw['tool_calls'] === undefined && raw['function_call'] === undefined))
        return;
      for (const call of readCalls(context, report, turn, raw, order)) {
        const first = firstUse.get(call.id);
        if (first === undefined) {
          firstUse.set(call.id, call);
          calls.push(call);
          continue;
        }
        report(DUPLICATE_TOOL_CALL_ID.code, {
          message: `Tool call id ${JSON.stringify(call.id)} is used twice; each call needs its own id so that its result can be matched to it.`,
          range: rangeOf(context, context.json!.valueSpan(call.idPath)),
          related: [
            {
              range: rangeOf(context, context.json!.valueSpan(first.idPath)),
              message: 'First use of this id',
            },
          ],
        });
      }
    });
    const answered = new Set<string>();
    example.turns.forEach((turn, order) => {
      const raw = records[order];
      if (raw === undefined) return;
      checkWeight(context, report, turn, raw);
      if (turn.role === 'tool') checkResult(context, report, turn, raw, order, calls, answered);
    });
  },
};
