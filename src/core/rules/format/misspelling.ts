/**
 * Keys that are probably typos of known keys (`mesages`, `Content`, `Role`). Shared by the format
 * rules and by structure/unknown-message-key, which stays quiet about keys explained here.
 */
import type { ResolvedConfig } from '../../engine/config.ts';
import { FORMAT_KEYS } from '../../engine/formats.ts';

/**
 * Known top-level keys. `id` is left out: a short free-form key whose "misspellings" (`ID`, `idx`) are
 * usually deliberate metadata.
 */
const TOP_LEVEL_KEYS: readonly string[] = [
  ...new Set(Object.values(FORMAT_KEYS).flatMap((keys) => [...keys.required, ...keys.optional])),
].filter((key) => key !== 'id');

const TOP_LEVEL_SET = new Set(TOP_LEVEL_KEYS);

/** Keys of a ShareGPT turn. */
const SHAREGPT_TURN_KEYS: readonly string[] = ['from', 'value', 'weight'];
export const SHAREGPT_TURN_KEY_SET: ReadonlySet<string> = new Set(SHAREGPT_TURN_KEYS);
const SHAREGPT_MISSPELLABLE: readonly string[] = ['from', 'value'];

const messageKeySets = new WeakMap<ResolvedConfig, ReadonlySet<string>>();

/** `config.chat.allowedMessageKeys` as a set, built once per configuration. */
export function allowedMessageKeys(config: ResolvedConfig): ReadonlySet<string> {
  let set = messageKeySets.get(config);
  if (!set) {
    set = new Set(config.chat.allowedMessageKeys);
    messageKeySets.set(config, set);
  }
  return set;
}

/**
 * The known key `key` is probably a typo of, if that key is not itself present in `record`: same
 * letters in another case, or a small edit away (one edit for keys of 4+ characters, two for 8+).
 */
function likelyKey(
  key: string,
  known: readonly string[],
  record: Record<string, unknown>,
): string | undefined {
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    if (candidate === key || Object.hasOwn(record, candidate)) continue;
    if (candidate === lower) return candidate;
    const limit = candidate.length >= 8 ? 2 : candidate.length >= 4 ? 1 : 0;
    if (limit === 0 || Math.abs(candidate.length - lower.length) > limit) continue;
    const distance = editDistance(lower, candidate, limit);
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** A misspelled top-level key of `record`, if any. */
export function likelyTopLevelKey(key: string, record: Record<string, unknown>): string | undefined {
  return TOP_LEVEL_SET.has(key) ? undefined : likelyKey(key, TOP_LEVEL_KEYS, record);
}

/** The known message key (chat) or turn key (ShareGPT) `key` is probably a typo of. */
export function likelyMessageKey(
  key: string,
  record: Record<string, unknown>,
  format: 'chat' | 'sharegpt',
  config: ResolvedConfig,
): string | undefined {
  const known = format === 'chat' ? config.chat.allowedMessageKeys : SHAREGPT_MISSPELLABLE;
  return likelyKey(key, known, record);
}

/**
 * Optimal string alignment distance (Levenshtein plus adjacent transpositions), giving up above
 * `limit`. Written here because keys are a few characters long and no chosen library offers a bounded
 * distance; a full matrix per call would be wasteful on the hot path.
 */
export function editDistance(a: string, b: string, limit: number): number {
  const n = b.length;
  let previous2: number[] = new Array<number>(n + 1).fill(0);
  let previous: number[] = Array.from({ length: n + 1 }, (_, j) => j);
  let current: number[] = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, previous2[j - 2]! + 1);
      current[j] = value;
      if (value < rowMin) rowMin = value;
    }
    if (rowMin > limit) return limit + 1;
    [previous2, previous, current] = [previous, current, previous2];
  }
  return previous[n]!;
}
