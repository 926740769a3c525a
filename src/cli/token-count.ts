/** Token counting for `stats`, with the tokenizer the configuration names. */
import type { ResolvedConfig } from '../server/engine/config.ts';

export type CountTokens = (text: string) => number;

export async function statsTokenCounter(
  config: ResolvedConfig,
): Promise<{ count: CountTokens; name: string }> {
  const setting = config.tokens.tokenizer;
  if (setting === 'cl100k_base') {
    const { countTokens } = await import('gpt-tokenizer/encoding/cl100k_base');
    return { count: (text) => countTokens(text), name: 'cl100k_base' };
  }
  const { countTokens } = await import('gpt-tokenizer/encoding/o200k_base');
  const name = typeof setting === 'string' ? setting : 'o200k_base (tokenizerJson is not used by stats)';
  return { count: (text) => countTokens(text), name };
}
