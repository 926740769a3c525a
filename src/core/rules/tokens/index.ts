/**
 * The tokens family: examples longer than the trainer's context (`tokens/too-long`), answers with
 * nothing in them (`tokens/empty-answer`) and special or chat-template tokens written as text
 * (`tokens/special-token`).
 */
import type { ResolvedConfig } from '../../engine/config.ts';
import { answerTurn, type Example, type Turn } from '../../engine/formats.ts';
import type { JsonPath } from '../../engine/json-line.ts';
import type { Checker, LineChecker, LineContext, Report } from '../../engine/rule.ts';
import type { RuleMeta } from '../../engine/types.ts';
import { isRecord } from '../line-spans.ts';
import { EXAMPLE_OVERHEAD, MESSAGE_OVERHEAD, tokenCounterFor, type TokenCounter } from './counter.ts';
import { literalSpan, MarkerSet, TEMPLATE_MARKERS } from './markers.ts';

const TOKENS_RULES: readonly RuleMeta[] = [
  {
    code: 'tokens/too-long',
    family: 'tokens',
    description: 'Finds examples with more tokens than `tokens.max`, which trainers truncate.',
    defaultSeverity: 'warning',
    fixable: false,
  },
  {
    code: 'tokens/empty-answer',
    family: 'tokens',
    description:
      'Finds examples whose answer (last assistant turn) has no tokens, or nothing but special tokens.',
    defaultSeverity: 'warning',
    fixable: false,
  },
  {
    code: 'tokens/special-token',
    family: 'tokens',
    description:
      'Finds special or chat-template tokens (`<|endoftext|>`, `</s>`, `[INST]`) written in content.',
    defaultSeverity: 'warning',
    fixable: true,
  },
];

/** The first characters of the template markers and of an encoding's special tokens (all "<|..."). */
const ENCODING_MARKER_FIRSTS = [...new Set([...TEMPLATE_MARKERS.map((marker) => marker[0]!), '<'])];

/**
 * A tokenizer setting's counter and markers. A gpt-tokenizer encoding is loaded on first use: that
 * costs about 0.4 s of CPU in each worker, and a line that surely fits `tokens.max` and holds none of
 * its markers' first characters needs neither. A tokenizer.json is loaded at once, so a file that
 * cannot be read still fails the first line. Counter and markers are made together, before this
 * counts anything, as when both were made on the first line.
 */
class Tokenization {
  private loaded: { counter: TokenCounter; markers: MarkerSet } | undefined;

  constructor(private readonly config: ResolvedConfig) {
    if (typeof config.tokens.tokenizer !== 'string') this.load();
  }

  get counter(): TokenCounter {
    return this.load().counter;
  }

  get markers(): MarkerSet {
    return this.load().markers;
  }

  /** False when `text` surely holds no marker, found without loading the encoding. */
  mayHoldMarker(text: string): boolean {
    return this.loaded !== undefined || ENCODING_MARKER_FIRSTS.some((first) => text.includes(first));
  }

  private load(): { counter: TokenCounter; markers: MarkerSet } {
    if (!this.loaded) {
      const counter = tokenCounterFor(this.config);
      this.loaded = { counter, markers: new MarkerSet(counter) };
    }
    return this.loaded;
  }
}

const tokenizations = new Map<string, Tokenization>();
let last: { config: ResolvedConfig; tokenization: Tokenization } | undefined;

/** The process's tokenization for the setting (`tokenCounterFor`'s); its counter throws as that does. */
function tokenizationFor(config: ResolvedConfig): Tokenization {
  if (last?.config === config) return last.tokenization;
  const key = JSON.stringify(config.tokens.tokenizer);
  let tokenization = tokenizations.get(key);
  if (!tokenization) tokenizations.set(key, (tokenization = new Tokenization(config)));
  last = { config, tokenization };
  return tokenization;
}

/** Whether an example surely fits: byte-level BPE never makes more tokens than UTF-8 bytes. */
function surelyFits(context: LineContext, example: Example, contents: readonly string[]): boolean {
  if (typeof context.config.tokens.tokenizer !== 'string') return false;
  const overhead = EXAMPLE_OVERHEAD + MESSAGE_OVERHEAD * example.turns.length;
  // Each UTF-16 unit of the raw line is at most 3 UTF-8 bytes of content; escapes only add length.
  if (3 * context.text.length + overhead <= context.config.tokens.max) return true;
  // The exact byte count of the contents is a tighter bound, and far cheaper than tokenizing: it
  // spares counting for most examples of a few KB (bench corpus: 18 -> 35 MB/s with tokens on).
  let bytes = overhead;
  for (const text of contents) bytes += Buffer.byteLength(text, 'utf8');
  return bytes <= context.config.tokens.max;
}

function checkTooLong(
  context: LineContext,
  example: Example,
  tokenization: Tokenization,
  report: Report,
): void {
  const max = context.config.tokens.max;
  const contents =
    example.turns.length > 0 ? example.turns.map((t) => t.content ?? '') : [example.text ?? ''];
  if (surelyFits(context, example, contents)) return;
  const counter = tokenization.counter;
  const overhead = example.turns.length > 0 ? EXAMPLE_OVERHEAD + MESSAGE_OVERHEAD * example.turns.length : 0;
  let budget = max - overhead;
  let over = budget < 0;
  for (const text of contents) {
    if (over) break;
    if (!counter.within(text, Math.max(budget, 0))) over = true;
    else budget -= counter.count(text);
  }
  if (!over) return;
  const { total } = counter.countExample(example);
  if (total <= max) return;
  const key = example.turns[0]?.path[0] ?? 'text';
  const keySpan = context.json?.keySpan([key]);
  report('tokens/too-long', {
    message: `Example has ${total} tokens (${counter.name}), over tokens.max ${max}: it will be truncated`,
    range: keySpan ? context.range(keySpan) : context.lineRange(),
  });
}

function checkEmptyAnswer(
  context: LineContext,
  example: Example,
  tokenization: Tokenization,
  report: Report,
): void {
  const answer = answerTurn(example);
  // A turn that calls tools answers through the call; a null or missing content is a structure problem.
  if (!answer || answer.hasToolCalls || (answer.contentKind !== 'string' && answer.contentKind !== 'parts'))
    return;
  const content = answer.content ?? '';
  // Parts that hold text under another key (LLaMA-Factory's v1 `{"type": "text", "value": …}`) are
  // unread, not empty: structure/non-string-content reports the shape.
  if (answer.contentKind === 'parts' && content === '' && holdsUnreadText(context, answer.contentPath))
    return;
  // Markers are control tokens or template syntax, not an answer: `<|endoftext|>` alone is empty.
  const trimmed = (
    tokenization.mayHoldMarker(content) ? tokenization.markers.strip(content) : content
  ).trim();
  // Byte-level BPE gives every non-empty string a token; only a tokenizer.json may drop characters.
  if (
    trimmed !== '' &&
    (typeof context.config.tokens.tokenizer === 'string' || tokenization.counter.count(trimmed) > 0)
  )
    return;
  const markers = tokenization.markers;
  const span = context.json?.valueSpan(answer.contentPath);
  const only = content.trim() === '' ? undefined : markers.find(content, 1)[0]?.token;
  report('tokens/empty-answer', {
    message:
      only === undefined
        ? 'The answer has no tokens: the model would be trained to say nothing'
        : `The answer is nothing but ${JSON.stringify(only)}${content.trim() === only ? '' : ' and other markers'}: the model would be trained to stop without saying anything`,
    range: span ? context.range(span) : context.lineRange(),
  });
}

/** Whether the list at `path` has a part with a non-empty string other than its `type`. */
function holdsUnreadText(context: LineContext, path: readonly (string | number)[]): boolean {
  let value: unknown = context.json?.value;
  for (const key of path)
    value =
      isRecord(value) || Array.isArray(value) ? (value as Record<string | number, unknown>)[key] : undefined;
  if (!Array.isArray(value)) return false;
  return value.some(
    (part) =>
      isRecord(part) &&
      Object.entries(part).some(([key, v]) => key !== 'type' && typeof v === 'string' && v.trim() !== ''),
  );
}

/** Most markers reported on one line: a pre-rendered conversation in a content can hold thousands. */
const MAX_MARKER_FINDINGS = 20;

/** The text fields of a turn with their paths: a string content, or each text part of a list. */
function textFields(context: LineContext, turn: Turn): { path: JsonPath; text: string }[] {
  if (turn.contentKind === 'string') return [{ path: turn.contentPath, text: turn.content! }];
  if (turn.contentKind !== 'parts') return [];
  let value: unknown = context.json!.value;
  for (const key of turn.contentPath) value = (value as Record<string | number, unknown>)[key];
  const fields: { path: JsonPath; text: string }[] = [];
  (value as unknown[]).forEach((part, i) => {
    if (isRecord(part) && part['type'] === 'text' && typeof part['text'] === 'string')
      fields.push({ path: [...turn.contentPath, i, 'text'], text: part['text'] });
  });
  return fields;
}

function checkSpecialTokens(
  context: LineContext,
  example: Example,
  tokenization: Tokenization,
  report: Report,
): void {
  let reported = 0;
  for (const turn of example.turns) {
    for (const { path, text } of textFields(context, turn)) {
      if (!tokenization.mayHoldMarker(text)) continue;
      const { counter, markers } = tokenization;
      const found = markers.find(text, MAX_MARKER_FINDINGS - reported);
      if (found.length === 0) continue;
      const valueSpan = context.json!.valueSpan(path);
      const literal = valueSpan ? context.text.slice(valueSpan.start, valueSpan.end) : undefined;
      const trailingEnd = text.trimEnd().length;
      for (const marker of found) {
        const inLiteral = literal === undefined ? undefined : literalSpan(literal, marker.start, marker.end);
        const span =
          inLiteral && valueSpan
            ? { start: valueSpan.start + inLiteral.start, end: valueSpan.start + inLiteral.end }
            : valueSpan;
        const special = markers.special.has(marker.token);
        const trailing = marker.end === trailingEnd;
        report('tokens/special-token', {
          message: special
            ? `${JSON.stringify(marker.token)} is a special token of ${counter.name}: the trainer's tokenizer reads it as one control token, not as text${trailing ? '; the chat template ends each turn itself' : ''}`
            : `${JSON.stringify(marker.token)} is chat-template syntax written as text: the model learns to write it${trailing ? '; the chat template ends each turn itself' : ''}`,
          range: span ? context.range(span) : context.lineRange(),
          // Only a trailing marker is surely debris; one mid-text may be what the text is about.
          ...(trailing && inLiteral && span
            ? {
                fix: {
                  title: `Remove the trailing ${marker.token}`,
                  edits: [{ range: context.range(span), newText: '' }],
                },
              }
            : {}),
        });
      }
      reported += found.length;
      if (reported >= MAX_MARKER_FINDINGS) return;
    }
  }
}

function check(context: LineContext, report: Report): void {
  const example = context.example;
  if (!example) return;
  const tokenization = tokenizationFor(context.config);
  if (context.enabled('tokens/too-long')) checkTooLong(context, example, tokenization, report);
  if (context.enabled('tokens/empty-answer')) checkEmptyAnswer(context, example, tokenization, report);
  if (context.enabled('tokens/special-token')) checkSpecialTokens(context, example, tokenization, report);
}

const tokensChecker: LineChecker = { kind: 'line', rules: TOKENS_RULES, check };

/** The tokens rules, in the order they run. */
export const tokensCheckers: Checker[] = [tokensChecker];
