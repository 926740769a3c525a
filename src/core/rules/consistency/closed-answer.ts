/**
 * What an answer commits to, for `consistency/conflict`: two answers to one prompt conflict only when
 * both commit to something checkable and it differs. An answer commits when it is
 * - structured output (a JSON object or array: a tool call, an extraction), compared as canonical JSON;
 * - a final answer after a marker (GSM8K's `#### 72`, `\boxed{72}`, "The answer is 72."), compared as
 *   that value, so "72" and a worked solution ending in "#### 72" agree;
 * - short (at most SHORT_WORDS words and SHORT_CHARS characters on one line, or SHORT_CJK ideographs)
 *   and from a small set: a number, a common label word (yes, no, true, positive, entailment…), an
 *   option letter, or text the prompt holds (one of the choices it lists, a span of its passage);
 * - a longer text that opens with yes or no ("No, I am an assistant built by…"), compared as that word.
 * Anything else is open generation (an essay, a greeting, a question or a sentence to write): many
 * answers are right, so two of them are not a conflict and the answer takes no part in one. On T0's
 * prompts, short answers alone were not enough: "Generate a question about this plot" has a short
 * answer and many right ones.
 */
import { canonicalJson } from './hashing.ts';

const SHORT_WORDS = 5;
const SHORT_CHARS = 40;
/** CJK text has no spaces between words: a short answer in it has few ideographs. */
const SHORT_CJK = 12;

/** A marker followed by the final value, on the answer's last line. */
const FINAL_MARKER = /(?:^|\s)(?:####|(?:final |correct )?answer(?:\s+is|\s*[:：]))\s*(.{1,40})$/i;
const BOXED = /\\boxed\{([^{}]{1,40})\}/g;
const POLARITY = /^(yes|no)[\s,.!;:]/i;
const CJK = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/g;
const TRAILING_STOP = /[\s.!?。！？]+$/u;
/** An end-of-text token some exports append to every answer (`<|endoftext|>`, `</s>`). */
const END_TOKEN = /(?:<\|[a-z_]+\|>|<\/s>)$/u;
const NUMBER = /^[-+−]?[$€£]?\d[\d,.\s/:]*%?$/u;
const OPTION = /^\(?[A-Ha-h][).:]?$/u;
/** Answers from the label sets of common classification tasks. */
const LABELS = new Set([
  'yes',
  'no',
  'true',
  'false',
  'correct',
  'incorrect',
  'right',
  'wrong',
  'positive',
  'negative',
  'neutral',
  'mixed',
  'entailment',
  'contradiction',
  'not entailment',
  'agree',
  'disagree',
  'spam',
  'not spam',
  'ham',
  'toxic',
  'non-toxic',
  'safe',
  'unsafe',
  'valid',
  'invalid',
  'possible',
  'impossible',
  'likely',
  'unlikely',
  'none',
  'both',
  'neither',
]);

/** `text` without an end-of-text token at its end (`Yes<|endoftext|>` is the label `Yes`). */
export function withoutEndToken(text: string): string {
  return text.endsWith('>') ? text.replace(END_TOKEN, '').trimEnd() : text;
}

/**
 * The value an answer commits to, normalised (prefixed by its kind), or undefined for open text.
 * `prompt`: the texts of the turns before it, for short answers the prompt holds.
 */
export function closedAnswer(answer: string, prompt: readonly string[]): string | undefined {
  const text = withoutEndToken(answer.trim());
  if (text === '') return undefined;
  const first = text.charCodeAt(0);
  if (first === 0x7b || first === 0x5b) {
    // `{` or `[`: structured output, when it parses.
    try {
      const canonical = canonicalJson(JSON.parse(text));
      if (canonical !== undefined) return `json:${canonical}`;
    } catch {
      // Not JSON: judged as text below.
    }
  }
  const final = finalValue(text);
  if (final !== undefined) return `value:${normalise(final)}`;
  if (isShort(text)) {
    const value = normalise(text);
    return NUMBER.test(value) || OPTION.test(value) || LABELS.has(value) || inPrompt(text, prompt)
      ? `value:${value}`
      : undefined;
  }
  const polarity = POLARITY.exec(text);
  if (polarity) return `value:${polarity[1]!.toLowerCase()}`;
  return undefined;
}

/**
 * Whether the prompt holds `text` as written, or with its first letter in the other case ("Positive"
 * among the options "positive or negative"): a choice it lists or a span of its passage. No
 * lower-cased copy of a long prompt is made.
 */
function inPrompt(text: string, prompt: readonly string[]): boolean {
  const head = text[0]!;
  const swapped = (head === head.toLowerCase() ? head.toUpperCase() : head.toLowerCase()) + text.slice(1);
  const core = text.replace(TRAILING_STOP, '');
  return prompt.some(
    (part) => part.includes(core) || (swapped !== text && part.includes(swapped.replace(TRAILING_STOP, ''))),
  );
}

/** The value after a final-answer marker; the cheap `includes` tests gate the regular expressions. */
function finalValue(text: string): string | undefined {
  if (text.includes('\\boxed{')) {
    let last: string | undefined;
    for (const match of text.matchAll(BOXED)) last = match[1];
    if (last !== undefined) return last;
  }
  const hashes = text.lastIndexOf('####');
  const lower = hashes >= 0 ? -1 : text.lastIndexOf('nswer');
  if (hashes < 0 && lower < 0) return undefined;
  const lineStart = text.lastIndexOf('\n') + 1;
  if (Math.max(hashes, lower) < lineStart) return undefined; // the marker must be on the last line
  const match = FINAL_MARKER.exec(text.slice(lineStart));
  return match ? match[1] : undefined;
}

function isShort(text: string): boolean {
  if (text.length > SHORT_CHARS || text.includes('\n')) return false;
  let words = 1;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0x20) words++;
  if (words > SHORT_WORDS) return false;
  return (text.match(CJK)?.length ?? 0) <= SHORT_CJK;
}

/** Case, runs of whitespace and a closing full stop do not make an answer different. */
function normalise(value: string): string {
  return value.replace(/\s+/g, ' ').replace(TRAILING_STOP, '').trim().toLowerCase();
}
