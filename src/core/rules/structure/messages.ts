/**
 * Rules on each message of a chat (`messages`) or ShareGPT (`conversations`) example: the list itself,
 * roles, keys, content and tool-call arguments. Messages that carry tool calls, and tool results, need
 * no text content: the OpenAI cookbook's checker flags them, and that false positive is avoided here.
 */
import type { Example, Turn } from '../../engine/formats.ts';
import type { JsonPath } from '../../engine/json-line.ts';
import type { LineChecker, LineContext, Report } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';
import { describeType, isRecord, quoteKey, rangeOf } from '../line-spans.ts';
import { allowedMessageKeys, likelyMessageKey, SHAREGPT_TURN_KEY_SET } from '../format/misspelling.ts';
import { effectiveRole, isAllowedRole, roleReplacement } from './roles.ts';

const meta = (
  name: string,
  description: string,
  defaultSeverity: RuleMeta['defaultSeverity'],
  fixable = false,
): RuleMeta => ({
  code: `structure/${name}`,
  family: 'structure',
  description,
  defaultSeverity,
  fixable,
});

const MISSING_MESSAGES = meta('missing-messages', 'The message list is not an array, or is empty.', 'error');
const MISSING_ROLE = meta('missing-role', 'A message has no role, or a role that is not a string.', 'error');
const UNKNOWN_ROLE = meta('unknown-role', 'A message role is not one of the allowed roles.', 'error', true);
const UNKNOWN_MESSAGE_KEY = meta(
  'unknown-message-key',
  'A message has a key trainers do not recognise.',
  'warning',
);
const MISSING_CONTENT = meta('missing-content', 'A message that needs text content has none.', 'error');
const NON_STRING_CONTENT = meta(
  'non-string-content',
  'Message content is neither a string, a list of content parts, nor null beside tool calls.',
  'error',
);
const EMPTY_CONTENT = meta(
  'empty-content',
  'A message that needs text content has only whitespace.',
  'warning',
);
const INVALID_TOOL_ARGUMENTS = meta(
  'invalid-tool-arguments',
  "A tool call's `function.arguments` is not a string holding valid JSON.",
  'error',
  true,
);

type ListFormat = 'chat' | 'sharegpt';

interface MessageScope {
  context: LineContext;
  report: Report;
  format: ListFormat;
  listKey: string;
}

function checkKeys(scope: MessageScope, message: Record<string, unknown>, path: JsonPath): Set<string> {
  const { context, format } = scope;
  const allowed = format === 'chat' ? allowedMessageKeys(context.config) : SHAREGPT_TURN_KEY_SET;
  let explained: Set<string> | undefined;
  for (const key in message) {
    if (allowed.has(key)) continue;
    const known = likelyMessageKey(key, message, format, context.config);
    if (known !== undefined) {
      (explained ??= new Set()).add(known);
      continue;
    }
    scope.report(UNKNOWN_MESSAGE_KEY.code, {
      message: `Unknown ${format === 'chat' ? 'message' : 'turn'} key ${quoteKey(key)}; allowed keys: ${[...allowed].join(', ')}.`,
      range: rangeOf(context, context.json!.keySpan([...path, key])),
    });
  }
  return explained ?? NONE;
}

const NONE: Set<string> = new Set();

function checkRole(scope: MessageScope, turn: Turn, explained: Set<string>): void {
  const { context, report, format } = scope;
  const json = context.json!;
  const roleKey = format === 'chat' ? 'role' : 'from';
  if (turn.rolePath === undefined) {
    if (explained.has(roleKey)) return;
    report(MISSING_ROLE.code, {
      message: `Message ${Number(turn.path[1]) + 1} has no "${roleKey}".`,
      range: rangeOf(context, json.valueSpan(turn.path)),
    });
    return;
  }
  if (turn.role === undefined) {
    const raw = (json.value as Record<string, unknown[]>)[scope.listKey]![Number(turn.path[1])];
    report(MISSING_ROLE.code, {
      message: `"${roleKey}" must be a string, not ${describeType((raw as Record<string, unknown>)[roleKey])}.`,
      range: rangeOf(context, json.valueSpan(turn.rolePath)),
    });
    return;
  }
  if (isAllowedRole(turn.role, format, context.config)) return;
  const span = json.valueSpan(turn.rolePath);
  const replacement = roleReplacement(turn.role, format, context.config);
  const shown = turn.role.length > 30 ? `${turn.role.slice(0, 27)}...` : turn.role;
  report(UNKNOWN_ROLE.code, {
    message:
      `Unknown role ${JSON.stringify(shown)}` +
      (replacement
        ? `; did you mean ${JSON.stringify(replacement)}?`
        : `; allowed roles: ${allowedList(scope)}.`),
    range: rangeOf(context, span),
    ...(replacement && span
      ? {
          fix: {
            title: `Change role to ${JSON.stringify(replacement)}`,
            edits: [{ range: context.range(span), newText: JSON.stringify(replacement) }],
          },
        }
      : {}),
  });
}

function allowedList(scope: MessageScope): string {
  return scope.format === 'chat'
    ? scope.context.config.chat.allowedRoles.join(', ')
    : 'human, gpt, system, function_call, observation';
}

function checkParts(scope: MessageScope, parts: unknown[], contentPath: JsonPath): 'ok' | 'empty' | 'bad' {
  let hasText = false;
  let hasOther = false;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const type = isRecord(part) ? part['type'] : undefined;
    const problem =
      typeof type !== 'string'
        ? `Content part ${i + 1} must be an object with a string "type"`
        : type === 'text' && typeof (part as Record<string, unknown>)['text'] !== 'string'
          ? `Text part ${i + 1} needs a string "text"`
          : undefined;
    if (problem) {
      scope.report(NON_STRING_CONTENT.code, {
        message: `${problem}.`,
        range: rangeOf(scope.context, scope.context.json!.valueSpan([...contentPath, i])),
      });
      return 'bad';
    }
    if (type === 'text') {
      if (((part as Record<string, unknown>)['text'] as string).trim() !== '') hasText = true;
    } else hasOther = true;
  }
  return hasText || hasOther ? 'ok' : 'empty';
}

function checkContent(
  scope: MessageScope,
  turn: Turn,
  raw: Record<string, unknown>,
  explained: Set<string>,
): void {
  const { context, report, format } = scope;
  const json = context.json!;
  const contentKey = format === 'chat' ? 'content' : 'value';
  const role = effectiveRole(turn);
  if (role === 'tool' || turn.hasToolCalls) return;
  const index = Number(turn.path[1]) + 1;
  switch (turn.contentKind) {
    case 'missing':
      if (explained.has(contentKey)) return;
      report(MISSING_CONTENT.code, {
        message: `Message ${index}${turn.role ? ` (${turn.role.slice(0, 30)})` : ''} has no "${contentKey}".`,
        range: rangeOf(context, json.valueSpan(turn.path)),
      });
      return;
    case 'null':
    case 'other':
      report(NON_STRING_CONTENT.code, {
        message: `"${contentKey}" must be a string${format === 'chat' ? ' or a list of content parts' : ''}, not ${describeType(raw[contentKey])}${turn.contentKind === 'null' ? ' (null is allowed only beside tool_calls)' : ''}.`,
        range: rangeOf(context, json.valueSpan(turn.contentPath)),
      });
      return;
    case 'parts': {
      const parts = raw[contentKey] as unknown[];
      if (format !== 'chat') {
        report(NON_STRING_CONTENT.code, {
          message: `"${contentKey}" must be a string, not an array.`,
          range: rangeOf(context, json.valueSpan(turn.contentPath)),
        });
        return;
      }
      if (checkParts(scope, parts, turn.contentPath) === 'empty') reportEmpty(scope, turn, index);
      return;
    }
    case 'string':
      if (isBlank(turn.content!)) reportEmpty(scope, turn, index);
      return;
  }
}

function isBlank(text: string): boolean {
  // Most contents start with a non-space character; skip the trim allocation for them.
  const first = text.charCodeAt(0);
  if (first > 32 && first < 127) return false;
  return text.trim() === '';
}

function reportEmpty(scope: MessageScope, turn: Turn, index: number): void {
  scope.report(EMPTY_CONTENT.code, {
    message: `Message ${index}${turn.role ? ` (${turn.role.slice(0, 30)})` : ''} has empty content.`,
    range: rangeOf(scope.context, scope.context.json!.valueSpan(turn.contentPath)),
  });
}

function checkToolArguments(scope: MessageScope, raw: Record<string, unknown>, path: JsonPath): void {
  const calls = raw['tool_calls'];
  if (Array.isArray(calls)) {
    for (let i = 0; i < calls.length; i++) {
      const call = calls[i];
      const fn = isRecord(call) ? call['function'] : undefined;
      if (isRecord(fn)) checkArguments(scope, fn, [...path, 'tool_calls', i, 'function']);
    }
  }
  const legacy = raw['function_call'];
  if (isRecord(legacy)) checkArguments(scope, legacy, [...path, 'function_call']);
}

function checkArguments(scope: MessageScope, fn: Record<string, unknown>, fnPath: JsonPath): void {
  const { context, report } = scope;
  const args = fn['arguments'];
  const path = [...fnPath, 'arguments'];
  if (typeof args === 'string') {
    try {
      JSON.parse(args);
      return;
    } catch (error) {
      const reason = error instanceof Error ? error.message.replace(/^.*?: /, '') : 'invalid JSON';
      report(INVALID_TOOL_ARGUMENTS.code, {
        message: `"arguments" must be a string of valid JSON; this one is not (${reason.slice(0, 80)}).`,
        range: rangeOf(context, context.json!.valueSpan(path)),
      });
    }
    return;
  }
  const span = args === undefined ? context.json!.valueSpan(fnPath) : context.json!.valueSpan(path);
  const fixable = span !== undefined && args !== undefined && (isRecord(args) || Array.isArray(args));
  report(INVALID_TOOL_ARGUMENTS.code, {
    message:
      args === undefined
        ? 'Tool call function has no "arguments"; it must be a string of JSON, e.g. "{}".'
        : `"arguments" must be a string of JSON, not ${describeType(args)}.`,
    range: rangeOf(context, span),
    ...(fixable
      ? {
          fix: {
            title: 'Encode the arguments as a JSON string',
            edits: [{ range: context.range(span), newText: JSON.stringify(JSON.stringify(args)) }],
          },
        }
      : {}),
  });
}

/** Chat and ShareGPT examples, with their message list key. */
const CHAT_LIST = { format: 'chat', listKey: 'messages' } as const;
const SHAREGPT_LIST = { format: 'sharegpt', listKey: 'conversations' } as const;

export function messageList(
  example: Example | undefined,
): { format: ListFormat; listKey: string } | undefined {
  if (example?.format === 'chat') return CHAT_LIST;
  if (example?.format === 'sharegpt') return SHAREGPT_LIST;
  return undefined;
}

export const messagesChecker: LineChecker = {
  kind: 'line',
  rules: [
    MISSING_MESSAGES,
    MISSING_ROLE,
    UNKNOWN_ROLE,
    UNKNOWN_MESSAGE_KEY,
    MISSING_CONTENT,
    NON_STRING_CONTENT,
    EMPTY_CONTENT,
    INVALID_TOOL_ARGUMENTS,
  ],
  check(context, report) {
    const list = messageList(context.example);
    if (list === undefined) return;
    const json = context.json!;
    const messages = (json.value as Record<string, unknown>)[list.listKey];
    if (!Array.isArray(messages) || messages.length === 0) {
      report(MISSING_MESSAGES.code, {
        message: Array.isArray(messages)
          ? `"${list.listKey}" is empty; an example needs at least one exchange.`
          : `"${list.listKey}" must be an array of messages, not ${describeType(messages)}.`,
        range: rangeOf(context, json.valueSpan([list.listKey])),
      });
      return;
    }
    const scope: MessageScope = { context, report, ...list };
    for (const turn of context.example!.turns) {
      // ShareGPT's top-level "system" becomes a turn too; it is not a message of the list.
      if (turn.path.length !== 2) continue;
      const raw: unknown = messages[turn.path[1] as number];
      if (!isRecord(raw)) {
        report(MISSING_ROLE.code, {
          message: `Message ${Number(turn.path[1]) + 1} is ${describeType(raw)}, not an object with a role and content.`,
          range: rangeOf(context, json.valueSpan(turn.path)),
        });
        continue;
      }
      const explained = checkKeys(scope, raw, turn.path);
      checkRole(scope, turn, explained);
      checkContent(scope, turn, raw, explained);
      if (list.format === 'chat' && (raw['tool_calls'] !== undefined || raw['function_call'] !== undefined))
        checkToolArguments(scope, raw, turn.path);
    }
  },
};
