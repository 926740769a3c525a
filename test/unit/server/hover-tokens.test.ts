/**
 * The hover's token total is the count `tokens/too-long` compares with `tokens.max` (the same core
 * counter, template overhead included), for chat and plain-text examples and either built-in encoding.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { resolveConfig } from '../../../src/core/engine/config.ts';
import { LinePass, lintText } from '../../../src/core/engine/linter.ts';
import { ALL_CHECKERS } from '../../../src/core/rules/index.ts';
import { hoverFor } from '../../../src/server/lsp/features.ts';

function hoverTotal(text: string, config: ReturnType<typeof resolveConfig>['config']): number {
  const context = new LinePass(config, []).context({ line: 0, text, eol: '' });
  const hover = hoverFor(context, [], 0, config);
  const value = (hover?.contents as { value: string } | undefined)?.value ?? '';
  const match = /— total (\d+) of/.exec(value);
  assert.ok(match, value);
  return Number(match[1]);
}

function ruleTotal(text: string, config: ReturnType<typeof resolveConfig>['config']): number {
  const finding = lintText(text, config, ALL_CHECKERS).find((f) => f.code === 'tokens/too-long');
  const match = finding && /^Example has (\d+) tokens/.exec(finding.message);
  assert.ok(match, `no tokens/too-long on ${text}`);
  return Number(match[1]);
}

const words = fc.array(fc.constantFrom('reset', 'password', 'the', 'link', '<|endoftext|>', 'é', '42'), {
  minLength: 1,
  maxLength: 12,
});

for (const tokenizer of ['o200k_base', 'cl100k_base'] as const) {
  test(`hover: the total equals what tokens/too-long counts (${tokenizer})`, () => {
    // tokens.max 1: every example is over it, so the rule states its count for each.
    const { config } = resolveConfig({ tokens: { max: 1, tokenizer } });
    fc.assert(
      fc.property(words, words, fc.boolean(), fc.boolean(), (user, answer, system, plain) => {
        const text = plain
          ? JSON.stringify({ text: `please ${user.join(' ')}` })
          : JSON.stringify({
              messages: [
                ...(system ? [{ role: 'system', content: 'Be brief.' }] : []),
                { role: 'user', content: user.join(' ') },
                { role: 'assistant', content: answer.join(' ') },
              ],
            });
        assert.equal(hoverTotal(text, config), ruleTotal(text, config));
      }),
      { numRuns: 60 },
    );
  });
}

test('hover: a chat example shows each role with its message overhead and the template', () => {
  const { config } = resolveConfig({});
  const text = JSON.stringify({
    messages: [
      { role: 'user', content: 'hello' },
      { role: 'assistant', content: 'answer to hello' },
    ],
  });
  const context = new LinePass(config, []).context({ line: 0, text, eol: '' });
  const value = (hoverFor(context, [], 0, config)?.contents as { value: string }).value;
  // hello = 1 token, "answer to hello" = 3, each turn +4, the example +3.
  assert.match(value, /Tokens \(o200k_base\): user 5, assistant 7, template 3 — total 15 of 4096/);
});
