/**
 * The semantic pass's second stage: of the pairs the embeddings' cosine found, which are near-misses,
 * prompts with mostly the same words and another meaning ("What is the capital of France?" /
 * "… of Germany?", "turn on" / "turn off dark mode").
 *
 * A mean-pooled sentence embedding cannot see them: the shared words dominate the average, so a
 * one-word change moves the cosine little (the paraphrase set's near-misses score up to 0.95, its
 * paraphrases as low as 0.59; docs/benchmarks.md). The stage aligns the two prompts word by word (the
 * `diff` package's LCS) and, only when they share most of their words (a minimal pair: the only
 * place where the bi-encoder is blind to a change), judges each changed span by itself: the span and
 * its replacement embedded alone with the same model, out of the shared context that would make any
 * two words look alike. Words that name different things ("France" / "Germany", "on" / "off",
 * "when" / "why") score low alone; so do different numbers (also caught exactly) and a negation added
 * or removed. Pairs that share fewer words (most paraphrases) keep the first stage's verdict.
 *
 * Only the pairs the first stage found reach it, so its cost is that of embedding a few short spans
 * per candidate pair (cached like every other text).
 */
import { diffArrays } from 'diff';
import type { Embed } from './cache.ts';
import { dot } from './vectors.ts';

/**
 * The share of words (2·common / (|a| + |b|)) from which a pair is a minimal pair. On
 * test/fixtures/semantic/paraphrases.json the paraphrases share at most 0.62 and the near-misses the
 * first stage finds at least 0.71: 0.66 sits between them.
 */
const MINIMAL_PAIR_SHARE = 0.66;
/**
 * Below this cosine, a changed span and its replacement (each embedded alone) name different things.
 * On the paraphrase set, the near-misses' spans score at most 0.69 ("Japan" / "Brazil"), a synonym
 * swap 0.84 ("built" / "constructed").
 */
const SPAN_SAME_MEANING = 0.8;

/** Words, lower-cased; a contraction ("won't", "what's") is one word, and so are "C++" and "C#". */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:'\p{L}+|\+\+|#)?/gu) ?? [];
}

const NEGATIONS = new Set(['not', 'no', 'never', 'without', 'nor', 'none', 'nothing', 'cannot']);
const isNegation = (word: string): boolean => NEGATIONS.has(word) || word.endsWith("n't");
const NUMBER = /^\d+(?:[.,]\d+)*$/;
/**
 * Words that frame a request without naming what it is about: auxiliaries, articles, possessives,
 * pronouns, and the verbs that ask for something to be made. A change among them alone ("How can I …"
 * / "How do I …", "a pound" / "one pound", "Write" / "Implement a C++ function …") is a rewording;
 * embedded alone, they score as unlike as two nouns that differ ("design" / "implement" 0.53).
 */
const FRAME = new Set(
  (
    'do does can could would should may might shall is are am be a an the one my your our their ' +
    'this that these those i we you me us it ' +
    'write create implement develop design build make compose generate produce'
  ).split(' '),
);
const frameOnly = (hunk: Hunk): boolean => [...hunk.removed, ...hunk.added].every((w) => FRAME.has(w));

interface Hunk {
  readonly removed: readonly string[];
  readonly added: readonly string[];
}

interface Alignment {
  /** 2·common words / all words: 1 for the same words, 0 for none shared. */
  readonly share: number;
  /** The runs of words that differ, in order; one side is empty for an insertion. */
  readonly hunks: readonly Hunk[];
  /** The numbers of each prompt, when they differ ("404" / "500"), else undefined. */
  readonly numbers: readonly [string[], string[]] | undefined;
}

export function align(a: string, b: string): Alignment {
  const [wa, wb] = [words(a), words(b)];
  const hunks: { removed: string[]; added: string[] }[] = [];
  let common = 0;
  let open: { removed: string[]; added: string[] } | undefined;
  for (const part of diffArrays(wa, wb)) {
    if (!part.added && !part.removed) {
      common += part.value.length;
      open = undefined;
      continue;
    }
    if (!open) hunks.push((open = { removed: [], added: [] }));
    const side = part.removed ? open.removed : open.added;
    for (const word of part.value) side.push(word);
  }
  const total = wa.length + wb.length;
  const [na, nb] = [wa.filter((w) => NUMBER.test(w)), wb.filter((w) => NUMBER.test(w))];
  const sameNumbers = [...na].sort().join(' ') === [...nb].sort().join(' ');
  return {
    share: total === 0 ? 1 : (2 * common) / total,
    hunks,
    // Only when both have numbers: "in a pound" / "in one pound" is not a change of number.
    numbers: na.length && nb.length && !sameNumbers ? [na, nb] : undefined,
  };
}

/** The substitutions of a minimal pair whose two sides are compared, in order. */
function substitutions(alignment: Alignment): Hunk[] {
  if (alignment.share < MINIMAL_PAIR_SHARE) return [];
  return alignment.hunks.filter((h) => h.removed.length > 0 && h.added.length > 0 && !frameOnly(h));
}

function negations(span: readonly string[]): number {
  return span.filter(isNegation).length;
}

/**
 * For each pair of prompts, why they differ in meaning ("France" → "Germany"), or undefined when the
 * second stage has nothing against the first stage's verdict. One `embed` call for all the pairs.
 */
export async function nearMisses(
  pairs: readonly (readonly [string, string])[],
  embed: Embed,
): Promise<(string | undefined)[]> {
  const alignments = pairs.map(([a, b]) => align(a, b));
  // What needs no model first: the spans of the other pairs are then embedded in one call.
  const verdicts = alignments.map(exactly);
  const spans = new Map<string, number>();
  alignments.forEach((alignment, i) => {
    if (verdicts[i] !== undefined) return;
    for (const hunk of substitutions(alignment))
      for (const span of [hunk.removed.join(' '), hunk.added.join(' ')])
        if (!spans.has(span)) spans.set(span, spans.size);
  });
  const vectors = spans.size ? await embed([...spans.keys()]) : [];
  const vector = (span: readonly string[]): Float32Array => vectors[spans.get(span.join(' '))!]!;
  return alignments.map((alignment, i) => {
    if (verdicts[i] !== undefined) return verdicts[i];
    for (const hunk of substitutions(alignment)) {
      const cosine = dot(vector(hunk.removed), vector(hunk.added));
      if (cosine < SPAN_SAME_MEANING) return `${quoted(hunk)} (cosine ${cosine.toFixed(2)})`;
    }
    return undefined;
  });
}

const quoted = (hunk: Hunk): string => `"${hunk.removed.join(' ')}" → "${hunk.added.join(' ')}"`;

/** The verdicts that need no embedding: different numbers, a negation added or removed. */
function exactly(alignment: Alignment): string | undefined {
  if (alignment.numbers)
    return `different numbers (${alignment.numbers[0].join(', ')} / ${alignment.numbers[1].join(', ')})`;
  if (alignment.share < MINIMAL_PAIR_SHARE) return undefined;
  // A negation added or removed, alone or with the words it changes.
  const negation = alignment.hunks.find((h) => negations(h.removed) % 2 !== negations(h.added) % 2);
  return negation && `negation: ${quoted(negation)}`;
}
