/**
 * Special and chat-template tokens written as text in a dataset's content: `<|endoftext|>` at the
 * end of a completion, `<|im_start|>`, `</s>`, `[INST]`... The trainer renders turns through the
 * model's chat template, which writes these itself; written in the content they are trained as part
 * of the answer (the model learns to stop early, or to emit template syntax).
 *
 * Written here, not taken from a library: no package lists the markers of the common templates, and
 * a configured tokenizer's own special tokens come from the counter (`TokenCounter.specialTokens`).
 */
import type { TokenCounter } from './counter.ts';

/** Markers of the chat templates and tokenizers fine-tuning data is most often rendered for. */
export const TEMPLATE_MARKERS: readonly string[] = [
  // GPT-2, GPT-NeoX, Qwen, ChatML (OpenAI's encodings have these as special tokens too).
  '<|endoftext|>',
  '<|im_start|>',
  '<|im_end|>',
  '<|im_sep|>',
  '<|endofprompt|>',
  // Llama 2, Mistral (SentencePiece BOS/EOS and the instruction tags).
  '<s>',
  '</s>',
  '[INST]',
  '[/INST]',
  '<<SYS>>',
  '<</SYS>>',
  // Llama 3.
  '<|begin_of_text|>',
  '<|end_of_text|>',
  '<|start_header_id|>',
  '<|end_header_id|>',
  '<|eot_id|>',
  '<|eom_id|>',
  // Phi-3, Zephyr.
  '<|system|>',
  '<|user|>',
  '<|assistant|>',
  '<|end|>',
  // Gemma.
  '<start_of_turn>',
  '<end_of_turn>',
  '<bos>',
  '<eos>',
];

interface Marker {
  /** Offsets in the decoded text, end exclusive. */
  start: number;
  end: number;
  token: string;
}

/** The markers to look for under one tokenizer: the template markers and the tokenizer's own. */
export class MarkerSet {
  readonly special: ReadonlySet<string>;
  private readonly pattern: RegExp;
  /** The first character of every marker: a text with none of them is skipped without the regex. */
  private readonly firsts: string[];

  constructor(counter: Pick<TokenCounter, 'specialTokens'>) {
    this.special = new Set(counter.specialTokens);
    const all = [...new Set([...TEMPLATE_MARKERS, ...counter.specialTokens])];
    // Longest first, so that a marker that begins another (`<|end|>`, `<|endoftext|>`) loses.
    all.sort((a, b) => b.length - a.length);
    this.pattern = new RegExp(all.map(escapeRegExp).join('|'), 'g');
    this.firsts = [...new Set(all.map((token) => token[0]!))];
  }

  /** Every marker in `text`, in order, at most `limit`. */
  find(text: string, limit = Infinity): Marker[] {
    const found: Marker[] = [];
    if (!this.firsts.some((first) => text.includes(first))) return found;
    this.pattern.lastIndex = 0;
    for (let match = this.pattern.exec(text); match; match = this.pattern.exec(text)) {
      found.push({ start: match.index, end: match.index + match[0].length, token: match[0] });
      if (found.length >= limit) break;
    }
    return found;
  }

  /** The text with every marker removed. */
  strip(text: string): string {
    if (!this.firsts.some((first) => text.includes(first))) return text;
    return text.replace(this.pattern, '');
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * The span in a JSON string literal (quotes included, as written in the line) of the decoded
 * characters `start`..`end`: escapes (`\n`, `\u003c`) make the two differ. Undefined when the
 * literal is not a well-formed string.
 */
export function literalSpan(
  literal: string,
  start: number,
  end: number,
): { start: number; end: number } | undefined {
  if (literal.length < 2 || literal[0] !== '"' || literal[literal.length - 1] !== '"') return undefined;
  // Most literals have no escape: decoded offset i is raw offset i + 1.
  if (!literal.includes('\\')) return { start: start + 1, end: end + 1 };
  let raw = 1;
  let decoded = 0;
  let rawStart: number | undefined;
  const last = literal.length - 1;
  while (raw <= last) {
    if (decoded === start && rawStart === undefined) rawStart = raw;
    if (decoded === end) return rawStart === undefined ? undefined : { start: rawStart, end: raw };
    if (raw === last) break;
    raw += literal[raw] === '\\' ? (literal[raw + 1] === 'u' ? 6 : 2) : 1;
    decoded++;
  }
  return undefined;
}
