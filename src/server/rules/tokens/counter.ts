/**
 * Token counts of examples, shared by the tokens rules, the CLI's `stats` command and the editor's
 * hover. Counts use gpt-tokenizer's o200k_base (default) or cl100k_base, or a model's own
 * `tokenizer.json` through @huggingface/tokenizers.
 *
 * A chat example is counted the way chat templates roughly render it: each turn costs its content's
 * tokens plus MESSAGE_OVERHEAD (ChatML wraps a turn as `<|im_start|>role\n…<|im_end|>\n`: the start
 * and end markers, the role and the newline are about four tokens; Llama 3 and Qwen templates are
 * within a token of that), and the example costs EXAMPLE_OVERHEAD more (the assistant header a
 * trainer appends, as OpenAI's cookbook counts it). Plain-text examples cost their text only.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Tokenizer } from '@huggingface/tokenizers';
import type * as GptEncodingModule from 'gpt-tokenizer/encoding/o200k_base';
import type { ResolvedConfig, TokenizerSetting } from '../../engine/config.ts';
import type { Example } from '../../engine/formats.ts';

export const MESSAGE_OVERHEAD = 4;
export const EXAMPLE_OVERHEAD = 3;

export interface ExampleTokens {
  total: number;
  /** Tokens by canonical role (`system`, `user`, `assistant`, `tool`; the written role if unknown), overhead included. */
  byRole: Record<string, number>;
}

export interface TokenCounter {
  /** Name for messages: `o200k_base`, or the tokenizer.json path. */
  readonly name: string;
  count(text: string): number;
  /** Whether `text` has at most `limit` tokens; stops counting early when it can. */
  within(text: string, limit: number): boolean;
  countExample(example: Example): ExampleTokens;
}

interface Encoder {
  count(text: string): number;
  within(text: string, limit: number): boolean;
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

function gptEncoder(encoding: GptEncoding): Encoder {
  return {
    count: (text) => encoding.countTokens(text),
    within: (text, limit) => encoding.isWithinTokenLimit(text, limit) !== false,
  };
}

function huggingFaceEncoder(path: string): Encoder {
  const json: unknown = JSON.parse(readFileSync(path, 'utf8'));
  const tokenizer = new Tokenizer(json as object, {});
  const count = (text: string): number => tokenizer.encode(text, { add_special_tokens: false }).ids.length;
  return { count, within: (text, limit) => count(text) <= limit };
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
