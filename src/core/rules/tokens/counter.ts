/**
 * Token counts of examples, shared by the tokens rules, the CLI's `stats` command and the editor's
 * hover (`tokenCounterFor`), so all three give the same number for an example. Counts use gpt-tokenizer's o200k_base (default) or cl100k_base, or a model's own
 * `tokenizer.json` through @huggingface/tokenizers.
 *
 * A chat example is counted the way chat templates roughly render it: each turn costs its content's
 * tokens plus MESSAGE_OVERHEAD (ChatML wraps a turn as `<|im_start|>role\n…<|im_end|>\n`: the start
 * and end markers, the role and the newline are about four tokens; Llama 3 and Qwen templates are
 * within a token of that), and the example costs EXAMPLE_OVERHEAD more (the assistant header a
 * trainer appends, as OpenAI's cookbook counts it). Plain-text examples cost their text only.
 *
 * Literal special-token strings in the text (`<|endoftext|>` at the end of every completion, as some
 * public datasets have it) count as ONE control token each, the way the trainer reads them:
 * transformers' tokenizers default to `split_special_tokens=False`, so an added special token written
 * in the text is matched before byte-pair encoding and becomes its single id (the EOS id, for
 * `<|endoftext|>` on Qwen or GPT-2), never the characters `<`, `|`, `end`... . A `tokenizer.json`
 * counted through @huggingface/tokenizers does the same by itself (its added-token splitter). For
 * the gpt-tokenizer encodings the counter splits the text at the encoding's special tokens and counts
 * the pieces: gpt-tokenizer throws on them by default ("Disallowed special token found"), and with
 * `allowedSpecial` it matches them only at the start of the text (4.0.0: a sticky regular expression
 * in `findNextSpecialToken`), so it cannot be asked to do it. Counting never throws on any string.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Tokenizer } from '@huggingface/tokenizers';
import type * as GptEncodingModule from 'gpt-tokenizer/encoding/o200k_base';
import type { ResolvedConfig, TokenizerSetting } from '../../engine/config.ts';
import type { Example } from '../../engine/formats.ts';

export const MESSAGE_OVERHEAD = 4;
export const EXAMPLE_OVERHEAD = 3;

interface ExampleTokens {
  total: number;
  /** Tokens by canonical role (`system`, `user`, `assistant`, `tool`; the written role if unknown), overhead included. */
  byRole: Record<string, number>;
}

export interface TokenCounter {
  /** Name for messages: `o200k_base`, or the tokenizer.json path. */
  readonly name: string;
  /**
   * The tokenizer's own special tokens, each counted as one control token when written in text: the
   * encoding's (`<|endoftext|>`, `<|im_start|>`...) or a tokenizer.json's added tokens marked special.
   */
  readonly specialTokens: readonly string[];
  count(text: string): number;
  /** Whether `text` has at most `limit` tokens; stops counting early when it can. */
  within(text: string, limit: number): boolean;
  countExample(example: Example): ExampleTokens;
}

interface Encoder {
  count(text: string): number;
  within(text: string, limit: number): boolean;
  specialTokens: readonly string[];
}

type GptEncoding = typeof GptEncodingModule;

/*
 * Loaded on first use, not imported: each encoding's ranks cost 40-70 MB of heap and about 0.5 s to
 * load, in every worker thread of the CLI, even with the tokens rules off. In the bundles, esbuild
 * turns the literal require calls into lazy module initialisers; from source (tsx, ESM) there is no
 * `require`, so a module-relative one is made.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- lazy loading, see above */
const lazyRequire = (id: string): unknown => createRequire(import.meta.url)(id);
function loadO200k(): GptEncoding {
  return (
    typeof require === 'function'
      ? require('gpt-tokenizer/encoding/o200k_base')
      : lazyRequire('gpt-tokenizer/encoding/o200k_base')
  ) as GptEncoding;
}
function loadCl100k(): GptEncoding {
  return (
    typeof require === 'function'
      ? require('gpt-tokenizer/encoding/cl100k_base')
      : lazyRequire('gpt-tokenizer/encoding/cl100k_base')
  ) as GptEncoding;
}
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * The special tokens of a gpt-tokenizer encoding. Its set is private; the module exports each token
 * as a constant, and a constant is one of the encoding's special tokens when it encodes to one id.
 */
function gptSpecialTokens(encoding: GptEncoding): string[] {
  const tokens: string[] = [];
  for (const value of Object.values(encoding)) {
    if (typeof value !== 'string' || !value.startsWith('<|')) continue;
    try {
      if (encoding.encode(value, { allowedSpecial: 'all' }).length === 1) tokens.push(value);
    } catch {
      // Not a token of this encoding.
    }
  }
  return tokens;
}

/** Where gpt-tokenizer would refuse `text`: the next special token at or after `from`. */
function nextSpecial(
  text: string,
  specials: readonly string[],
  from: number,
): { at: number; token: string } | undefined {
  let best: { at: number; token: string } | undefined;
  for (const token of specials) {
    const at = text.indexOf(token, from);
    if (at !== -1 && (best === undefined || at < best.at)) best = { at, token };
  }
  return best;
}

const DISALLOWED = /^Disallowed special token found: (.+)$/s;

function gptEncoder(encoding: GptEncoding): Encoder {
  const specials = gptSpecialTokens(encoding);
  /** Tokens of a piece with no special token in it; one the list missed is learned and split at. */
  const countPiece = (piece: string): number => {
    try {
      return encoding.countTokens(piece);
    } catch (error) {
      const missed = error instanceof Error ? DISALLOWED.exec(error.message)?.[1] : undefined;
      if (missed === undefined || specials.includes(missed)) throw error;
      specials.push(missed);
      return count(piece);
    }
  };
  const count = (text: string): number => {
    // Every special token of both encodings starts with "<|": most texts skip the search.
    if (!text.includes('<|')) return countPiece(text);
    let total = 0;
    let from = 0;
    for (let next = nextSpecial(text, specials, 0); next; next = nextSpecial(text, specials, from)) {
      if (next.at > from) total += countPiece(text.slice(from, next.at));
      total += 1;
      from = next.at + next.token.length;
    }
    return from < text.length ? total + countPiece(text.slice(from)) : total;
  };
  return {
    count,
    within: (text, limit) =>
      text.includes('<|') ? count(text) <= limit : encoding.isWithinTokenLimit(text, limit) !== false,
    specialTokens: specials,
  };
}

function huggingFaceEncoder(path: string): Encoder {
  const json: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const tokenizer = new Tokenizer(json as object, {});
  // add_special_tokens: false leaves out BOS/EOS the post-processor would add; added tokens written
  // in the text are still matched as one id each (split_special_tokens=False, as in transformers).
  const count = (text: string): number => tokenizer.encode(text, { add_special_tokens: false }).ids.length;
  const specialTokens: string[] = [];
  for (const token of tokenizer.get_added_tokens_decoder().values())
    if (token.special && token.content.trim() !== '') specialTokens.push(token.content);
  return { count, within: (text, limit) => count(text) <= limit, specialTokens };
}

function encoderFor(setting: TokenizerSetting): { name: string; encoder: Encoder } {
  if (setting === 'cl100k_base') return { name: setting, encoder: gptEncoder(loadCl100k()) };
  if (setting === 'o200k_base') return { name: setting, encoder: gptEncoder(loadO200k()) };
  return { name: setting.tokenizerJson, encoder: huggingFaceEncoder(setting.tokenizerJson) };
}

function turnTexts(example: Example): { role: string; text: string }[] {
  if (example.turns.length === 0)
    return example.text !== undefined ? [{ role: 'text', text: example.text }] : [];
  return example.turns.map((turn) => ({
    role: turn.canonicalRole ?? turn.role ?? 'unknown',
    text: turn.content ?? '',
  }));
}

/** Throws when a `tokenizerJson` file cannot be read or parsed; callers report that once. */
export function createTokenCounter(config: Pick<ResolvedConfig, 'tokens'>): TokenCounter {
  const { name, encoder } = encoderFor(config.tokens.tokenizer);
  return {
    name,
    specialTokens: encoder.specialTokens,
    count: (text) => encoder.count(text),
    within: (text, limit) => encoder.within(text, limit),
    countExample(example) {
      const byRole: Record<string, number> = {};
      const chat = example.turns.length > 0;
      let total = chat ? EXAMPLE_OVERHEAD : 0;
      for (const { role, text } of turnTexts(example)) {
        const tokens = encoder.count(text) + (chat ? MESSAGE_OVERHEAD : 0);
        byRole[role] = (byRole[role] ?? 0) + tokens;
        total += tokens;
      }
      return { total, byRole };
    },
  };
}

const counters = new Map<string, TokenCounter | Error>();

/**
 * The process's one counter for a tokenizer setting (the tokens rules', the hover's and `stats`'s):
 * loading a tokenizer is slow. Throws, the same error each time, when a `tokenizerJson` cannot be loaded.
 */
export function tokenCounterFor(config: Pick<ResolvedConfig, 'tokens'>): TokenCounter {
  const key = JSON.stringify(config.tokens.tokenizer);
  let entry = counters.get(key);
  if (!entry) {
    try {
      entry = createTokenCounter(config);
    } catch (error) {
      entry = error instanceof Error ? error : new Error(String(error));
    }
    counters.set(key, entry);
  }
  if (entry instanceof Error) throw entry;
  return entry;
}
