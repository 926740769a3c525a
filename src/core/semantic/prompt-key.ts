/** How prompts are compared for copies: whitespace- and case-folded. */

/** A whitespace character other than a space, or two spaces: where folding runs changes the text. */
const FOLDABLE_RUN = /[^\S ]| {2}/;

export function normalised(text: string): string {
  const lower = text.toLowerCase();
  // Most prompts are single-spaced: the replace would copy each for nothing (a second of a
  // 100,000-line lint with a model found, just to count the prompts against semantic.maxExamples).
  return (FOLDABLE_RUN.test(lower) ? lower.replace(/\s+/g, ' ') : lower).trim();
}
