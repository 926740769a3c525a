/** Lines for the consistency and split tests. */

export function chat(user: string, assistant: string, system?: string): string {
  const messages = [
    ...(system !== undefined ? [{ role: 'system', content: system }] : []),
    { role: 'user', content: user },
    { role: 'assistant', content: assistant },
  ];
  return JSON.stringify({ messages });
}

const WORDS = (
  'river stone garden lamp violet orbit cactus ember harbor quill meadow puzzle tundra velvet ' +
  'falcon copper lantern marble nectar oasis pepper quartz saddle timber umbra walnut yonder zephyr ' +
  'anchor bramble candle dune echo fable glacier hollow island jasper kettle lotus mirror nimbus'
).split(' ');

/** A deterministic pseudo-random text of `count` words (seeded), so tests never depend on luck. */
export function words(count: number, seed: number): string {
  let state = seed * 2654435761 + 1;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    out.push(WORDS[(state >>> 8) % WORDS.length]!);
  }
  return out.join(' ');
}

/** `text` with the word at `index` replaced. */
export function replaceWord(text: string, index: number, by: string): string {
  const parts = text.split(' ');
  parts[index] = by;
  return parts.join(' ');
}
