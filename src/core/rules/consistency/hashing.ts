/**
 * Cheap, allocation-free hashes for the dataset rules. Indexes keep hashes in typed arrays instead of
 * strings, so a file of a million examples costs a few bytes per example; the few lines that get a
 * finding are re-read through `LineAccess` to show and fix the actual text.
 *
 * Hashes are 53 bits (two 32-bit lanes, cyrb53-style, combined into one double) so that exact-match
 * grouping over ~10^6 examples has a collision probability around 10^-4; callers that report a match
 * compare the re-read text where it matters.
 */

let lane1 = 0;
let lane2 = 0;

function begin(seed: number): void {
  lane1 = 0xdeadbeef ^ seed;
  lane2 = 0x41c6ce57 ^ seed;
}

function feedString(text: string): void {
  let h1 = lane1;
  let h2 = lane2;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  // A separator so that ["ab","c"] and ["a","bc"] differ.
  lane1 = Math.imul(h1 ^ 0x1f, 2654435761);
  lane2 = Math.imul(h2 ^ 0x1f, 1597334677);
}

function finish(): number {
  let h1 = lane1;
  let h2 = lane2;
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/**
 * Lower case by UTF-16 code unit, as a table: folding inside the hash loops avoids allocating a
 * lowered copy of every line (`toLowerCase` was a third of the near-duplicate checker's time).
 * Built once (~65k lookups, a few ms); code units whose lower case is longer than one unit map to
 * themselves.
 */
const LOWER = new Uint16Array(65536);
for (let c = 0; c < 65536; c++) {
  const lower = String.fromCharCode(c).toLowerCase();
  LOWER[c] = lower.length === 1 ? lower.charCodeAt(0) : c;
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x3000 || (c >= 0x2000 && c <= 0x200a);
}

/** Case-folded code units, with every whitespace character as a space (32). */
const NORMAL = new Uint16Array(65536);
for (let c = 0; c < 65536; c++) NORMAL[c] = isSpace(c) ? 32 : LOWER[c]!;

/** Feeds `text` with whitespace runs collapsed to one space, trimmed, and case-folded. */
function feedNormalised(text: string): void {
  if (!feedSimplySpaced(text)) feedCollapsing(text);
}

/**
 * The common case without a branch per character: when no two whitespace characters touch and
 * none starts or ends the text, collapsing changes nothing but turning each into a space, which the
 * table does. Branches on spaces (a misprediction per word) made the general loop twice as slow.
 * Returns false, having fed nothing, when the text needs `feedCollapsing`.
 */
function feedSimplySpaced(text: string): boolean {
  let h1 = lane1;
  let h2 = lane2;
  // Both bits 32 when this and the previous character are spaces; the start counts as a space.
  let previous = 32;
  let adjacent = 0;
  for (let i = 0; i < text.length; i++) {
    const c = NORMAL[text.charCodeAt(i)]!;
    adjacent |= ((c ^ 32) | (previous ^ 32)) - 1;
    previous = c;
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  if (adjacent < 0 || previous === 32) return false;
  lane1 = Math.imul(h1 ^ 0x1f, 2654435761);
  lane2 = Math.imul(h2 ^ 0x1f, 1597334677);
  return true;
}

function feedCollapsing(text: string): void {
  let h1 = lane1;
  let h2 = lane2;
  let pendingSpace = false;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      // ASCII fast path: most text, and no table lookup.
      if (c <= 32 && (c === 32 || (c >= 9 && c <= 13))) {
        pendingSpace = started;
        continue;
      }
      if (c >= 65 && c <= 90) c |= 32;
    } else if (isSpace(c)) {
      pendingSpace = started;
      continue;
    } else c = LOWER[c]!;
    if (pendingSpace) {
      h1 = Math.imul(h1 ^ 32, 2654435761);
      h2 = Math.imul(h2 ^ 32, 1597334677);
      pendingSpace = false;
    }
    started = true;
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  lane1 = Math.imul(h1 ^ 0x1f, 2654435761);
  lane2 = Math.imul(h2 ^ 0x1f, 1597334677);
}

/**
 * A 53-bit hash of texts (e.g. turns) compared with whitespace collapsed and case folded, as
 * `text.replace(/\s+/g, ' ').trim().toLowerCase()` would, without building the normalised strings.
 */
export function hashNormalised(texts: readonly string[], seed = 0): number {
  begin(seed);
  for (const text of texts) feedNormalised(text);
  return finish();
}

/**
 * 32 bits of a hash, never 0 (0 marks "no value" in Uint32Array columns): for columns where a rare
 * collision costs little (a missed finding), at half the memory of a 53-bit hash.
 */
export function hash32(hash: number): number {
  return hash >>> 0 || 1;
}

/** A 53-bit hash of a string. */
export function hashString(text: string, seed = 0): number {
  begin(seed);
  feedString(text);
  return finish();
}

function feedValue(value: unknown, depth: number): void {
  if (depth > 200) {
    feedString('…');
    return;
  }
  if (typeof value === 'string') {
    feedString('s');
    feedString(value);
  } else if (typeof value === 'number') feedString(`n${value}`);
  else if (typeof value === 'boolean') feedString(value ? 't' : 'f');
  else if (value === null) feedString('z');
  else if (Array.isArray(value)) {
    feedString('[');
    for (const item of value) feedValue(item, depth + 1);
    feedString(']');
  } else if (typeof value === 'object') {
    feedString('{');
    const record = value as Record<string, unknown>;
    if (!feedSmallObject(record, depth)) {
      for (const key of Object.keys(record).sort()) {
        feedString(key);
        feedValue(record[key], depth + 1);
      }
    }
    feedString('}');
  }
}

/** Objects up to this many keys are walked in key order without sorting a key array. */
const SMALL_OBJECT = 8;

/**
 * Feeds the entries of an object of at most `SMALL_OBJECT` keys in sorted key order, as
 * `Object.keys(record).sort()` would, by picking the next smallest key on each pass: no array per
 * object (a chat line has one object per message). False, having fed nothing, for larger objects.
 */
function feedSmallObject(record: Record<string, unknown>, depth: number): boolean {
  let count = 0;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    if (++count > SMALL_OBJECT) return false;
  }
  let previous: string | undefined;
  for (let i = 0; i < count; i++) {
    let next: string | undefined;
    for (const key in record) {
      if (!Object.hasOwn(record, key)) continue;
      if ((previous === undefined || key > previous) && (next === undefined || key < next)) next = key;
    }
    feedString(next!);
    feedValue(record[next!], depth + 1);
    previous = next;
  }
  return true;
}

/**
 * A 53-bit hash of a parsed JSON value in canonical form (object keys sorted), so key order and
 * whitespace do not matter. Walks the value instead of serialising it, to allocate nothing per line.
 */
export function hashJson(value: unknown): number {
  begin(0x5eed);
  feedValue(value, 0);
  return finish();
}

/**
 * Canonical JSON text (sorted keys, no whitespace), for confirming a hash match on re-read lines;
 * undefined for a value nested too deep for the recursive serialiser.
 */
export function canonicalJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
      const record = v as Record<string, unknown>;
      // No prototype: an own "__proto__" key (JSON.parse makes one) must be copied, not set the prototype.
      const sorted = Object.create(null) as Record<string, unknown>;
      for (const key of Object.keys(record).sort()) sorted[key] = record[key];
      return sorted;
    });
  } catch {
    return undefined;
  }
}

/** A label without case, punctuation or whitespace: `Positive`, `positive.` and ` POSITIVE` agree. */
export function normaliseLabel(text: string): string {
  return text.toLowerCase().replace(/[\s\p{P}\p{S}]+/gu, '');
}

/** Shortens a value for a message. */
export function quote(text: string, max = 40): string {
  const shown = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return JSON.stringify(shown);
}
