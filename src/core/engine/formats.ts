/**
 * The dataset formats fine-tuning tools accept, detected per line, and one normalised view of an
 * example (a list of turns) so that structure, consistency and token rules are written once.
 */
import type { JsonPath } from './json-line.ts';

export type FormatId =
  | 'chat'
  | 'prompt-completion'
  | 'alpaca'
  | 'instruction-response'
  | 'preference'
  | 'question-answer'
  | 'sharegpt'
  | 'text'
  | 'unknown';
export type KnownFormatId = Exclude<FormatId, 'unknown'>;
export type CanonicalRole = 'system' | 'user' | 'assistant' | 'tool';

interface FormatDefinition {
  id: KnownFormatId;
  name: string;
  /** A line is in this format when it has every one of these keys (the first format that matches). */
  required: readonly string[];
  optional: readonly string[];
  /** For formats that hold a list of turns: the list's key and the keys of a turn's role and text. */
  turns?: { list: string; role: string; content: string };
}

/**
 * The one definition of the dataset formats and role spellings, shared by the linter and the trainer.
 *
 * The trainer (src/trainer/tunesmith_trainer/data.py) reads it from `schemas/data-formats.json`, which
 * `npm run schema` writes from this constant and test/unit/format.test.ts compares with it. A generated
 * file rather than a shared test table: with a table each side still holds its own copy and only the
 * cases someone wrote into the table are compared; with the file the trainer runs on the very values the
 * linter uses, and this side stays typed (tsc checks every alias names a CanonicalRole).
 */
export const DATA_FORMATS = {
  /** In detection order: `messages` wins over `text` on a line that has both. */
  formats: [
    {
      // TRL's preference format (DPO, reward modelling), standard or conversational, its prompt
      // explicit or implicit (the answers' shared start); and LLaMA-Factory's ranking data, a ShareGPT
      // `conversations` with the two answers as single turns. First: those lines hold a chat or
      // ShareGPT format's keys too, but are pairs to rank, not conversations to imitate.
      id: 'preference',
      name: 'preference (prompt/chosen/rejected)',
      required: ['chosen', 'rejected'],
      optional: ['prompt', 'conversations', 'system', 'tools'],
    },
    {
      id: 'chat',
      name: 'OpenAI chat (messages)',
      required: ['messages'],
      optional: ['tools', 'parallel_tool_calls', 'functions'],
      turns: { list: 'messages', role: 'role', content: 'content' },
    },
    {
      id: 'sharegpt',
      name: 'ShareGPT (conversations)',
      required: ['conversations'],
      optional: ['system', 'tools', 'id'],
      turns: { list: 'conversations', role: 'from', content: 'value' },
    },
    {
      id: 'alpaca',
      name: 'Alpaca (instruction/input/output)',
      required: ['instruction', 'output'],
      optional: ['input', 'system', 'history'],
    },
    {
      // Dolly (instruction/context/response/category) and GPTeacher (instruction/input/response).
      id: 'instruction-response',
      name: 'Dolly/GPTeacher (instruction/context/response)',
      required: ['instruction', 'response'],
      optional: ['context', 'input', 'category', 'system'],
    },
    { id: 'prompt-completion', name: 'prompt/completion', required: ['prompt', 'completion'], optional: [] },
    // GSM8K and other question/answer sets.
    { id: 'question-answer', name: 'question/answer', required: ['question', 'answer'], optional: [] },
    { id: 'text', name: 'plain text', required: ['text'], optional: [] },
  ],
  /** Role spellings trainers read, and the role each stands for. */
  roles: {
    system: 'system',
    developer: 'system',
    user: 'user',
    human: 'user',
    assistant: 'assistant',
    gpt: 'assistant',
    tool: 'tool',
    function: 'tool',
    observation: 'tool',
    function_call: 'assistant',
  },
  /** How the text parts of a list content are joined where one string is needed. */
  partsSeparator: '\n',
} as const satisfies {
  formats: readonly FormatDefinition[];
  roles: Record<string, CanonicalRole>;
  partsSeparator: string;
};

export const FORMAT_NAMES = {
  ...Object.fromEntries(DATA_FORMATS.formats.map((f) => [f.id, f.name])),
  unknown: 'unknown',
} as Record<FormatId, string>;

/** The keys that identify each format; the first key set found decides. */
export const FORMAT_KEYS = Object.fromEntries(
  DATA_FORMATS.formats.map((f) => [f.id, { required: [...f.required], optional: [...f.optional] }]),
) as Record<KnownFormatId, { required: string[]; optional: string[] }>;

type ContentKind = 'string' | 'parts' | 'null' | 'missing' | 'other';

export interface Turn {
  /** The role as written, if it is a string. */
  role: string | undefined;
  /** The role a trainer would read it as, when it is one of the known spellings. */
  canonicalRole: CanonicalRole | undefined;
  /** The text of the turn: a string content, or the text parts of a multi-part content joined. */
  content: string | undefined;
  contentKind: ContentKind;
  /** Path of the turn's object (chat, ShareGPT) or of its field (Alpaca, prompt/completion). */
  path: JsonPath;
  contentPath: JsonPath;
  rolePath: JsonPath | undefined;
  /** `tool_calls` (or ShareGPT `function_call` turns): such a turn needs no text content. */
  hasToolCalls: boolean;
}

export interface Example {
  format: FormatId;
  /** Top-level keys in the order written. */
  keys: string[];
  turns: Turn[];
  /** The `text` field of the plain-text format. */
  text: string | undefined;
}

const ROLE_ALIASES: Readonly<Record<string, CanonicalRole>> = DATA_FORMATS.roles;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function detectFormat(value: unknown): FormatId {
  if (!isRecord(value)) return 'unknown';
  // Loops, no closures: this runs on every line of every file.
  formats: for (const format of DATA_FORMATS.formats) {
    for (const key of format.required) if (!(key in value)) continue formats;
    return format.id;
  }
  return 'unknown';
}

function contentOf(raw: unknown): { content: string | undefined; kind: ContentKind } {
  if (typeof raw === 'string') return { content: raw, kind: 'string' };
  if (raw === null) return { content: undefined, kind: 'null' };
  if (raw === undefined) return { content: undefined, kind: 'missing' };
  if (Array.isArray(raw)) {
    const texts: string[] = [];
    for (const part of raw) {
      if (isRecord(part) && part['type'] === 'text' && typeof part['text'] === 'string')
        texts.push(part['text']);
    }
    return { content: texts.join(DATA_FORMATS.partsSeparator), kind: 'parts' };
  }
  return { content: undefined, kind: 'other' };
}

function roleOf(raw: unknown): { role: string | undefined; canonicalRole: CanonicalRole | undefined } {
  if (typeof raw !== 'string') return { role: undefined, canonicalRole: undefined };
  return { role: raw, canonicalRole: Object.hasOwn(ROLE_ALIASES, raw) ? ROLE_ALIASES[raw] : undefined };
}

function chatTurns(messages: unknown, base: JsonPath): Turn[] {
  if (!Array.isArray(messages)) return [];
  return messages.map((message, index): Turn => {
    // Array literals of the path's length rather than spreads, which iterate and over-allocate: these
    // three paths are most of what a chat line allocates besides its parsed value.
    const path = base.length === 1 ? [base[0]!, index] : [...base, index];
    const record = isRecord(message) ? message : {};
    const { content, kind } = contentOf(record['content']);
    const toolCalls = record['tool_calls'] ?? record['function_call'];
    // Not `...roleOf()`: V8 takes a slow path for a spread at the head of a literal (measured: 18x
    // slower here, the largest cost of linting a chat file).
    const { role, canonicalRole } = roleOf(record['role']);
    return {
      role,
      canonicalRole,
      content,
      contentKind: isRecord(message) ? kind : 'other',
      path,
      contentPath: base.length === 1 ? [base[0]!, index, 'content'] : [...path, 'content'],
      rolePath:
        'role' in record ? (base.length === 1 ? [base[0]!, index, 'role'] : [...path, 'role']) : undefined,
      hasToolCalls: toolCalls !== undefined && toolCalls !== null,
    };
  });
}

function shareGptTurns(conversations: unknown): Turn[] {
  if (!Array.isArray(conversations)) return [];
  return conversations.map((turn, index): Turn => shareGptTurn(turn, ['conversations', index]));
}

function shareGptTurn(turn: unknown, path: JsonPath): Turn {
  const record = isRecord(turn) ? turn : {};
  const { content, kind } = contentOf(record['value']);
  const role = roleOf(record['from']);
  return {
    role: role.role,
    canonicalRole: role.canonicalRole,
    content,
    contentKind: isRecord(turn) ? kind : 'other',
    path,
    contentPath: childPath(path, 'value'),
    rolePath: 'from' in record ? childPath(path, 'from') : undefined,
    hasToolCalls: role.role === 'function_call',
  };
}

/** `[...path, key]` without the spread, which iterates and over-allocates on this per-turn path. */
function childPath(path: JsonPath, key: string): JsonPath {
  const child = path.slice();
  child.push(key);
  return child;
}

function fieldTurn(record: Record<string, unknown>, key: string, canonicalRole: CanonicalRole): Turn {
  const { content, kind } = contentOf(record[key]);
  return {
    role: canonicalRole,
    canonicalRole,
    content,
    contentKind: kind,
    path: [key],
    contentPath: [key],
    rolePath: undefined,
    hasToolCalls: false,
  };
}

/** Dolly's `context` or GPTeacher's `input`, when the line has a non-empty one. */
function instructionExtraKey(record: Record<string, unknown>): 'context' | 'input' | undefined {
  for (const key of ['context', 'input'] as const) {
    const raw = record[key];
    if (typeof raw === 'string' && raw !== '') return key;
  }
  return undefined;
}

/** Normalises a parsed line; undefined when it is not a JSON object. */
export function toExample(value: unknown): Example | undefined {
  if (!isRecord(value)) return undefined;
  const format = detectFormat(value);
  const keys = Object.keys(value);
  let turns: Turn[] = [];
  switch (format) {
    case 'chat':
      turns = chatTurns(value['messages'], ['messages']);
      break;
    case 'sharegpt':
      turns = shareGptTurns(value['conversations']);
      if (typeof value['system'] === 'string') turns.unshift(fieldTurn(value, 'system', 'system'));
      break;
    case 'alpaca':
      if (typeof value['system'] === 'string') turns.push(fieldTurn(value, 'system', 'system'));
      turns.push(fieldTurn(value, 'instruction', 'user'));
      if (typeof value['input'] === 'string' && value['input'] !== '')
        turns.push(fieldTurn(value, 'input', 'user'));
      turns.push(fieldTurn(value, 'output', 'assistant'));
      break;
    case 'instruction-response': {
      if (typeof value['system'] === 'string') turns.push(fieldTurn(value, 'system', 'system'));
      turns.push(fieldTurn(value, 'instruction', 'user'));
      const extra = instructionExtraKey(value);
      if (extra !== undefined) turns.push(fieldTurn(value, extra, 'user'));
      turns.push(fieldTurn(value, 'response', 'assistant'));
      break;
    }
    case 'question-answer':
      turns = [fieldTurn(value, 'question', 'user'), fieldTurn(value, 'answer', 'assistant')];
      break;
    case 'preference':
      // The chosen answer is what the model is taught; the rejected one is not an answer to lint as such.
      if (Array.isArray(value['conversations'])) {
        turns = shareGptTurns(value['conversations']);
        if (typeof value['system'] === 'string') turns.unshift(fieldTurn(value, 'system', 'system'));
        if (isRecord(value['chosen'])) turns.push(shareGptTurn(value['chosen'], ['chosen']));
      } else if (Array.isArray(value['prompt']) || Array.isArray(value['chosen'])) {
        turns = [...chatTurns(value['prompt'], ['prompt']), ...chatTurns(value['chosen'], ['chosen'])];
      } else {
        turns = [fieldTurn(value, 'chosen', 'assistant')];
        if (value['prompt'] !== undefined) turns.unshift(fieldTurn(value, 'prompt', 'user'));
      }
      break;
    case 'prompt-completion':
      // TRL's conversational prompt/completion holds message lists in both fields.
      if (Array.isArray(value['prompt']) || Array.isArray(value['completion'])) {
        turns = [
          ...chatTurns(value['prompt'], ['prompt']),
          ...chatTurns(value['completion'], ['completion']),
        ];
      } else {
        turns = [fieldTurn(value, 'prompt', 'user'), fieldTurn(value, 'completion', 'assistant')];
      }
      break;
    case 'text':
    case 'unknown':
      break;
  }
  return { format, keys, turns, text: typeof value['text'] === 'string' ? value['text'] : undefined };
}

/** The last assistant turn: what the model is trained to answer. */
export function answerTurn(example: Example): Turn | undefined {
  for (let i = example.turns.length - 1; i >= 0; i--) {
    const turn = example.turns[i]!;
    if (turn.canonicalRole === 'assistant') return turn;
  }
  return undefined;
}

/** Everything before the last assistant turn, as one string: the example's prompt. */
export function promptText(example: Example): string | undefined {
  const answer = answerTurn(example);
  if (!answer) return undefined;
  const parts: string[] = [];
  for (const turn of example.turns) {
    if (turn === answer) break;
    parts.push(`${turn.canonicalRole ?? turn.role ?? '?'}: ${turn.content ?? ''}`);
  }
  return parts.join('\n');
}

/** The system prompt, if the example has one as its first turn. */
export function systemTurn(example: Example): Turn | undefined {
  const first = example.turns[0];
  return first?.canonicalRole === 'system' ? first : undefined;
}

/** The text of schemas/data-formats.json, the trainer's copy of DATA_FORMATS. */
export function dataFormatsFile(): string {
  const file = {
    $comment:
      'Generated from DATA_FORMATS in src/core/engine/formats.ts by `npm run schema`; do not edit. ' +
      'Read by src/trainer/tunesmith_trainer/data.py.',
    ...DATA_FORMATS,
  };
  return JSON.stringify(file, null, 2) + '\n';
}
