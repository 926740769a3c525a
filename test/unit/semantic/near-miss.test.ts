/**
 * The near-miss stage (src/core/semantic/near-miss.ts) without the model: the alignment, and the
 * verdicts with an `Embed` whose vectors are chosen, so each rule is seen deciding. The stage with the
 * real model is tested on the paraphrase sets in rules.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Embed } from '../../../src/core/semantic/cache.ts';
import { align, nearMisses, words } from '../../../src/core/semantic/near-miss.ts';

/** Unit vectors: texts in one group are alike (cosine 1), across groups orthogonal. */
function groupedEmbed(groups: string[][], seen: string[] = []): Embed {
  return (texts) => {
    for (const text of texts) seen.push(text);
    return Promise.resolve(
      texts.map((text) => {
        const group = groups.findIndex((g) => g.includes(text));
        if (group < 0) throw new Error(`no vector for "${text}"`);
        const vector = new Float32Array(groups.length);
        vector[group] = 1;
        return vector;
      }),
    );
  };
}

describe('near-miss stage', () => {
  it('aligns word by word, contractions one word, case folded', () => {
    assert.deepEqual(words("My laptop WON'T turn on."), ['my', 'laptop', "won't", 'turn', 'on']);
    const alignment = align('What is the capital of France?', 'What is the capital of Germany?');
    assert.deepEqual(alignment.hunks, [{ removed: ['france'], added: ['germany'] }]);
    assert.equal(alignment.share, 10 / 12);
    assert.equal(align('Why is the sky blue?', 'What makes the sky appear blue?').share, 6 / 11);
  });

  it('silences a minimal pair whose changed words mean something else, not one whose words are alike', async () => {
    const seen: string[] = [];
    const embed = groupedEmbed([['france'], ['germany'], ['built', 'constructed']], seen);
    const verdicts = await nearMisses(
      [
        ['What is the capital of France?', 'What is the capital of Germany?'],
        ['When was the tower built?', 'When was the tower constructed?'],
        // Few shared words: the first stage's verdict stands, nothing is embedded for it.
        ['Why is the sky blue?', 'What makes the sky appear blue?'],
        // Only framing words changed.
        ['How can I cancel my plan?', 'How do I cancel the plan?'],
      ],
      embed,
    );
    assert.deepEqual(verdicts, ['"france" → "germany" (cosine 0.00)', undefined, undefined, undefined]);
    assert.deepEqual(seen, ['france', 'germany', 'built', 'constructed']);
  });

  it('silences different numbers at any share, and a negation added to a minimal pair', async () => {
    const embed = groupedEmbed([]);
    assert.deepEqual(
      await nearMisses(
        [
          ['What does HTTP status 404 mean?', 'Explain the HTTP code 500.'],
          ['Does the train stop at Oxford?', "Doesn't the train stop at Oxford?"],
          ['Does the train stop at Oxford?', 'Does the train not stop at Oxford?'],
          ['How many ounces are in a pound?', 'How many ounces make up 1 pound?'],
        ],
        embed,
      ),
      ['different numbers (404 / 500)', `negation: "does" → "doesn't"`, 'negation: "" → "not"', undefined],
    );
  });
});
