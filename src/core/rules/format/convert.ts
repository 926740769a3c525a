/**
 * Mechanical conversions between dataset formats, for the format/drift quick fix. A line converts only
 * when nothing would be lost: every turn is a plain role + string content, and the target format can
 * hold the conversation's shape. Properties that are not part of the format are copied byte for byte.
 */
import type { FormatId } from '../../engine/formats.ts';
import type { JsonLine } from '../../engine/json-line.ts';
import { isRecord } from '../line-spans.ts';

type Role = 'system' | 'user' | 'assistant' | 'tool';

interface SimpleTurn {
  role: Role;
  content: string;
}

interface Conversation {
  turns: SimpleTurn[];
  /** Top-level keys the source format uses; the target's keys replace them. */
  consumed: ReadonlySet<string>;
}

const CHAT_ROLES: Record<string, Role> = {
  system: 'system',
  developer: 'system',
  user: 'user',
  assistant: 'assistant',
  tool: 'tool',
};

const SHAREGPT_ROLES: Record<string, Role> = {
  system: 'system',
  human: 'user',
  user: 'user',
  gpt: 'assistant',
  assistant: 'assistant',
  observation: 'tool',
  tool: 'tool',
};

const TO_SHAREGPT: Record<Role, string> = {
  system: 'system',
  user: 'human',
  assistant: 'gpt',
  tool: 'observation',
};

function simpleTurns(
  list: unknown,
  roleKey: string,
  contentKey: string,
  roles: Record<string, Role>,
): SimpleTurn[] | undefined {
  if (!Array.isArray(list)) return undefined;
  const turns: SimpleTurn[] = [];
  for (const item of list) {
    if (!isRecord(item) || Object.keys(item).length !== 2) return undefined;
    const role = item[roleKey];
    const content = item[contentKey];
    if (typeof role !== 'string' || typeof content !== 'string' || !Object.hasOwn(roles, role))
      return undefined;
    turns.push({ role: roles[role]!, content });
  }
  return turns;
}

function read(value: Record<string, unknown>, format: FormatId): Conversation | undefined {
  switch (format) {
    case 'chat': {
      const turns = simpleTurns(value['messages'], 'role', 'content', CHAT_ROLES);
      return turns && { turns, consumed: new Set(['messages']) };
    }
    case 'sharegpt': {
      const turns = simpleTurns(value['conversations'], 'from', 'value', SHAREGPT_ROLES);
      if (!turns) return undefined;
      const system = value['system'];
      if (system !== undefined && typeof system !== 'string') return undefined;
      if (typeof system === 'string' && system !== '') turns.unshift({ role: 'system', content: system });
      return { turns, consumed: new Set(['conversations', 'system']) };
    }
    case 'alpaca': {
      const { instruction, input, output, system, history } = value;
      if (typeof instruction !== 'string' || typeof output !== 'string') return undefined;
      if (input !== undefined && typeof input !== 'string') return undefined;
      if (system !== undefined && typeof system !== 'string') return undefined;
      const turns: SimpleTurn[] = [];
      if (system) turns.push({ role: 'system', content: system });
      if (history !== undefined) {
        if (!Array.isArray(history)) return undefined;
        for (const pair of history) {
          if (!Array.isArray(pair) || pair.length !== 2) return undefined;
          const [user, assistant] = pair as unknown[];
          if (typeof user !== 'string' || typeof assistant !== 'string') return undefined;
          turns.push({ role: 'user', content: user }, { role: 'assistant', content: assistant });
        }
      }
      turns.push({ role: 'user', content: input ? `${instruction}\n\n${input}` : instruction });
      turns.push({ role: 'assistant', content: output });
      return { turns, consumed: new Set(['instruction', 'input', 'output', 'system', 'history']) };
    }
    case 'instruction-response': {
      const { instruction, response, system } = value;
      if (typeof instruction !== 'string' || typeof response !== 'string') return undefined;
      if (system !== undefined && typeof system !== 'string') return undefined;
      // Dolly's passage is `context`, GPTeacher's `input`; a line with both is not mechanical.
      const extras = (['context', 'input'] as const).filter((key) => value[key] !== undefined);
      if (extras.length > 1) return undefined;
      const extra = extras[0] === undefined ? '' : value[extras[0]];
      if (typeof extra !== 'string') return undefined;
      const turns: SimpleTurn[] = [];
      if (system) turns.push({ role: 'system', content: system });
      turns.push({ role: 'user', content: extra ? `${instruction}\n\n${extra}` : instruction });
      turns.push({ role: 'assistant', content: response });
      return { turns, consumed: new Set(['instruction', 'context', 'input', 'response', 'system']) };
    }
    case 'question-answer': {
      const { question, answer } = value;
      if (typeof question !== 'string' || typeof answer !== 'string') return undefined;
      return {
        turns: [
          { role: 'user', content: question },
          { role: 'assistant', content: answer },
        ],
        consumed: new Set(['question', 'answer']),
      };
    }
    case 'prompt-completion': {
      const { prompt, completion } = value;
      const consumed = new Set(['prompt', 'completion']);
      if (typeof prompt === 'string' && typeof completion === 'string') {
        return {
          turns: [
            { role: 'user', content: prompt },
            { role: 'assistant', content: completion },
          ],
          consumed,
        };
      }
      const before = simpleTurns(prompt, 'role', 'content', CHAT_ROLES);
      const after = simpleTurns(completion, 'role', 'content', CHAT_ROLES);
      return before && after && { turns: [...before, ...after], consumed };
    }
    default:
      return undefined;
  }
}

type Properties = [string, unknown][];

function write(turns: SimpleTurn[], format: FormatId): Properties | undefined {
  switch (format) {
    case 'chat':
      return [['messages', turns.map((t) => ({ role: t.role, content: t.content }))]];
    case 'sharegpt': {
      const rest = turns[0]?.role === 'system' ? turns.slice(1) : turns;
      if (rest.some((t) => t.role === 'system')) return undefined;
      const properties: Properties = [
        ['conversations', rest.map((t) => ({ from: TO_SHAREGPT[t.role], value: t.content }))],
      ];
      if (rest !== turns) properties.push(['system', turns[0]!.content]);
      return properties;
    }
    case 'alpaca': {
      const rest = turns[0]?.role === 'system' ? turns.slice(1) : turns;
      if (rest.length < 2 || rest.length % 2 !== 0) return undefined;
      for (let i = 0; i < rest.length; i++)
        if (rest[i]!.role !== (i % 2 === 0 ? 'user' : 'assistant')) return undefined;
      const last = rest.length - 2;
      const properties: Properties = [
        ['instruction', rest[last]!.content],
        ['input', ''],
        ['output', rest[last + 1]!.content],
      ];
      if (rest !== turns) properties.push(['system', turns[0]!.content]);
      if (last > 0) {
        const history: string[][] = [];
        for (let i = 0; i < last; i += 2) history.push([rest[i]!.content, rest[i + 1]!.content]);
        properties.push(['history', history]);
      }
      return properties;
    }
    case 'prompt-completion':
      if (turns.length !== 2 || turns[0]!.role !== 'user' || turns[1]!.role !== 'assistant') return undefined;
      return [
        ['prompt', turns[0]!.content],
        ['completion', turns[1]!.content],
      ];
    default:
      return undefined;
  }
}

function serialize(value: unknown, colon: string, comma: string): string {
  if (Array.isArray(value)) return `[${value.map((v) => serialize(v, colon, comma)).join(comma)}]`;
  if (isRecord(value)) {
    const parts = Object.entries(value).map(
      ([k, v]) => `${JSON.stringify(k)}${colon}${serialize(v, colon, comma)}`,
    );
    return `{${parts.join(comma)}}`;
  }
  return JSON.stringify(value);
}

/**
 * The line rewritten in format `target`, or undefined when the conversion is not mechanical. Uses
 * the line's own spacing style (`{"a": 1, "b": 2}` or `{"a":1,"b":2}`).
 */
export function convertLine(json: JsonLine, source: FormatId, target: FormatId): string | undefined {
  if (!isRecord(json.value) || source === target) return undefined;
  const value = json.value;
  const conversation = read(value, source);
  if (!conversation) return undefined;
  const properties = write(conversation.turns, target);
  if (!properties) return undefined;
  // A target key already in the object (other than the ones being replaced) would be duplicated.
  if (properties.some(([key]) => Object.hasOwn(value, key) && !conversation.consumed.has(key)))
    return undefined;
  const spaced = /"\s*:\s/.test(json.text);
  const colon = spaced ? ': ' : ':';
  const comma = spaced ? ', ' : ',';
  const parts: string[] = [];
  let inserted = false;
  for (const key of Object.keys(value)) {
    if (conversation.consumed.has(key)) {
      if (!inserted) {
        for (const [k, v] of properties)
          parts.push(`${JSON.stringify(k)}${colon}${serialize(v, colon, comma)}`);
        inserted = true;
      }
      continue;
    }
    const span = json.propertySpan([key]);
    if (!span) return undefined;
    parts.push(json.text.slice(span.start, span.end));
  }
  return `{${parts.join(comma)}}`;
}

/**
 * Key renames that turn a line of one instruction-style format into another with every value kept
 * byte for byte: GPTeacher's `response` is Alpaca's `output`, Dolly's `context` its `input`, GSM8K's
 * `question`/`answer` an instruction and its answer. Within one format, Dolly's `context` and
 * GPTeacher's `input` name the same field.
 */
const RENAMES: Partial<Record<FormatId, Partial<Record<FormatId, Readonly<Record<string, string>>>>>> = {
  'instruction-response': {
    alpaca: { response: 'output', context: 'input' },
    'instruction-response': { context: 'input', input: 'context' },
  },
  alpaca: { 'instruction-response': { output: 'response' } },
  'question-answer': {
    alpaca: { question: 'instruction', answer: 'output' },
    'instruction-response': { question: 'instruction', answer: 'response' },
  },
};

/** Keys each format may hold besides its required ones; others are copied as they are. */
const UNSUPPORTED: Partial<Record<FormatId, readonly string[]>> = {
  // History pairs have no place in Dolly/GPTeacher lines.
  'instruction-response': ['history'],
};

export interface KeyRename {
  from: string;
  to: string;
}

/**
 * The key renames that make a `source` line a `target` one (only `only` of them, if given), or
 * undefined when no rename does: the pair has none, a new name is already taken, or the line holds
 * something the target cannot.
 */
export function keyRenames(
  value: unknown,
  source: FormatId,
  target: FormatId,
  only?: ReadonlySet<string>,
): KeyRename[] | undefined {
  const table = RENAMES[source]?.[target];
  if (!table || !isRecord(value)) return undefined;
  if ((UNSUPPORTED[target] ?? []).some((key) => Object.hasOwn(value, key))) return undefined;
  const renames = Object.keys(value)
    .filter((key) => Object.hasOwn(table, key) && (only === undefined || only.has(key)))
    .map((key) => ({ from: key, to: table[key]! }));
  if (renames.length === 0) return undefined;
  const renamed = new Set(renames.map((r) => r.from));
  const kept = Object.keys(value).filter((key) => !renamed.has(key));
  if (renames.some((r) => kept.includes(r.to))) return undefined;
  if (new Set(renames.map((r) => r.to)).size !== renames.length) return undefined;
  return renames;
}
