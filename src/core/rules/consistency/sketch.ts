/**
 * Similarity sketches for near-duplicate detection, shared by `consistency/near-duplicate`,
 * `split/leakage` and `tunesmith split`.
 *
 * Written here rather than taken from npm: the MinHash packages there hash every shingle once per
 * permutation (k hashes per shingle) and keep number arrays per example, which is k times slower and
 * ~10x larger than the budget (>= 100 MB/s per core, well under 400 MB for 850k examples). This is
 * one-permutation hashing (Li, Owen & Zhang 2012) with rotation densification: one 32-bit hash per
 * word trigram, its top 6 bits choose one of 64 bins, each bin keeps its minimum, and each bin is then
 * stored as 8 bits (b-bit minwise hashing, Li & König 2010). 64 bytes per example; two sketches agree
 * in a bin with probability J + (1 - J)/256, J being the Jaccard similarity of the trigram sets.
 */
import { radixSort, type SortedIds } from './grouping.ts';

export const BINS = 64;
const BIN_SHIFT = 26;
const EMPTY = 0xffffffff;
/** Below this many words a sketch is too coarse to estimate similarity; only exact matches count. */
export const MIN_WORDS = 8;

const scratch = new Uint32Array(BINS);

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const FNV_OFFSET = 0x811c9dc5;
/** ASCII word characters (digits, letters and the apostrophe) lower-cased; 0 for separators. */
const ASCII_FOLD = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const lower = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
  const word = (lower >= 0x30 && lower <= 0x39) || (lower >= 0x61 && lower <= 0x7a) || lower === 0x27;
  ASCII_FOLD[c] = word ? lower : 0;
}

/** Non-ASCII code units count as word characters, except spaces and common punctuation blocks. */
function isWordChar(c: number): boolean {
  return !(c === 0xa0 || (c >= 0x2000 && c <= 0x206f) || (c >= 0x3000 && c <= 0x303f) || c === 0xfeff);
}

/** Ideographs and kana are words on their own: those scripts do not separate words by spaces. */
function isIdeograph(c: number): boolean {
  return (c >= 0x3040 && c <= 0x9fff) || (c >= 0xac00 && c <= 0xd7af) || (c >= 0xf900 && c <= 0xfaff);
}

// Word-trigram state carried from one text of an example to the next.
let words = 0;
let w1 = 0;
let w2 = 0;

function addShingle(a: number, b: number, c: number): void {
  const s = fmix(Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77) ^ Math.imul(c, 0xc2b2ae3d));
  const value = s & 0x3ffffff;
  if (value < scratch[s >>> BIN_SHIFT]!) scratch[s >>> BIN_SHIFT] = value;
}

/**
 * The hot loop: one FNV step per character and one mix per word, all in locals. ASCII is folded in
 * the loop; at the first non-ASCII character the rest is read from `text.toLowerCase()` instead,
 * whose prefix up to there is the same ASCII, because folding by code unit differs from it (final
 * sigma, `İ` → `i̇`, surrogate pairs). Lowering every text up front allocated a copy of each line,
 * a third of this checker's time and much of the workers' garbage.
 */
function feed(text: string): void {
  let count = words;
  let prev1 = w1;
  let prev2 = w2;
  let h = FNV_OFFSET;
  let inWord = false;
  // The ASCII loop: one table load folds case and tells word characters (non-zero) from separators.
  const length = text.length;
  let i = 0;
  for (; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) break;
    const folded = ASCII_FOLD[c]!;
    if (folded !== 0) {
      h = Math.imul(h ^ folded, 0x01000193);
      inWord = true;
      continue;
    }
    if (inWord) {
      if (++count >= 3) addShingle(prev2, prev1, h);
      prev2 = prev1;
      prev1 = h;
      h = FNV_OFFSET;
      inWord = false;
    }
  }
  if (i < length) {
    // The rest, from the lowered text (same length and characters up to here, all ASCII).
    const lower = text.toLowerCase();
    for (; i < lower.length; i++) {
      const c = lower.charCodeAt(i);
      const ideograph = c >= 0x3040 && isIdeograph(c);
      if (!ideograph && (c < 0x80 ? ASCII_FOLD[c] !== 0 : isWordChar(c))) {
        h = Math.imul(h ^ c, 0x01000193);
        inWord = true;
        continue;
      }
      if (inWord) {
        if (++count >= 3) addShingle(prev2, prev1, h);
        prev2 = prev1;
        prev1 = h;
        h = FNV_OFFSET;
        inWord = false;
      }
      if (ideograph) {
        const word = Math.imul(FNV_OFFSET ^ c, 0x01000193);
        if (++count >= 3) addShingle(prev2, prev1, word);
        prev2 = prev1;
        prev1 = word;
      }
    }
  }
  if (inWord) {
    if (++count >= 3) addShingle(prev2, prev1, h);
    prev2 = prev1;
    prev1 = h;
  }
  words = count;
  w1 = prev1;
  w2 = prev2;
}

/**
 * Writes the sketch of `texts` (read as one text, each a word boundary) into `out` (64 bytes at
 * `offset`) and returns the number of words; 0 words leaves the bins at a fixed value.
 */
export function sketchTexts(texts: readonly string[], out: Uint8Array, offset = 0): number {
  scratch.fill(EMPTY);
  words = 0;
  w1 = 0;
  w2 = 0;
  for (const text of texts) feed(text);
  if (words > 0 && words < 3) addShingle(words === 2 ? w2 : 0, w1, words);

  // Rotation densification: an empty bin borrows the next non-empty bin's minimum, salted by the distance.
  for (let bin = 0; bin < BINS; bin++) {
    let value = scratch[bin]!;
    let distance = 0;
    while (value === EMPTY && distance < BINS) {
      distance++;
      value = scratch[(bin + distance) % BINS]!;
    }
    out[offset + bin] = fmix((value ^ Math.imul(distance, 0x9e3779b9)) >>> 0) & 0xff;
  }
  return words;
}

/**
 * 32-bit views of the last two sketch arrays compared: a report compares millions of pairs of the
 * same one or two arrays, and a view per call would be garbage.
 */
const views: [Uint8Array | undefined, Uint32Array | undefined][] = [
  [undefined, undefined],
  [undefined, undefined],
];

function wordsOf(bytes: Uint8Array, slot: 0 | 1): Uint32Array | undefined {
  const view = views[slot]!;
  if (view[0] !== bytes) {
    view[0] = bytes;
    view[1] =
      bytes.byteOffset % 4 === 0
        ? new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2)
        : undefined;
  }
  return view[1];
}

/**
 * How many of the 64 bins two sketches agree in (32-bit views, offsets in words), or some number
 * below 64 - `allowed` once more than `allowed` bins differ: most pairs a search checks are below
 * its threshold, and stop early. Four bins a step (the byte loop was most of a near-duplicate
 * report): in x = a ^ b a bin agrees where its byte is 0; ((x & 0x7f..) + 0x7f..) | x sets each
 * byte's top bit where the byte is not 0, without carries between bytes; the multiply sums the four
 * top bits into the top byte.
 */
function equalWords(a: Uint32Array, aw: number, b: Uint32Array, bw: number, allowed: number): number {
  let differ = 0;
  for (let i = 0; i < BINS / 4; i++) {
    const x = a[aw + i]! ^ b[bw + i]!;
    const high = ((((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x) & 0x80808080) >>> 7;
    differ += Math.imul(high, 0x01010101) >>> 24;
    if (differ > allowed) break;
  }
  return BINS - differ;
}

function equalBins(a: Uint8Array, aOffset: number, b: Uint8Array, bOffset: number): number {
  const aWords = aOffset % 4 === 0 ? wordsOf(a, 0) : undefined;
  const bWords = bOffset % 4 === 0 ? wordsOf(b, 1) : undefined;
  if (aWords && bWords) return equalWords(aWords, aOffset >>> 2, bWords, bOffset >>> 2, BINS);
  let equal = 0;
  for (let i = 0; i < BINS; i++) if (a[aOffset + i] === b[bOffset + i]) equal++;
  return equal;
}

function estimate(equal: number): number {
  const value = (equal / BINS - 1 / 256) / (1 - 1 / 256);
  return value < 0 ? 0 : value;
}

/** The fewest equal bins whose estimate reaches `threshold` (65: none does). */
function fewestEqualBins(threshold: number): number {
  let equal = 0;
  while (equal <= BINS && estimate(equal) < threshold) equal++;
  return equal;
}

/** Estimated Jaccard similarity of two sketches, corrected for 8-bit chance agreement. */
export function similarity(a: Uint8Array, aOffset: number, b: Uint8Array, bOffset: number): number {
  return estimate(equalBins(a, aOffset, b, bOffset));
}

/**
 * LSH banding: `bands` bands of `rows` bins each. Picks the most selective banding that still makes
 * a pair at the threshold a candidate with probability >= 0.999, so fewer dissimilar pairs are checked.
 */
export function banding(threshold: number): { rows: number; bands: number } {
  for (let rows = 8; rows > 1; rows--) {
    const bands = Math.floor(BINS / rows);
    const p = threshold + (1 - threshold) / 256;
    if (1 - Math.pow(1 - Math.pow(p, rows), bands) >= 0.999) return { rows, bands };
  }
  return { rows: 1, bands: BINS };
}

export function bandKey(sketches: Uint8Array, offset: number, band: number, rows: number): number {
  let h = 0x811c9dc5 ^ band;
  const start = offset + band * rows;
  for (let i = 0; i < rows; i++) h = Math.imul(h ^ sketches[start + i]!, 0x01000193);
  return fmix(h);
}

/** What the similarity search needs of a set of examples, all indexed by id. */
export interface SketchView {
  /** 64 bytes per id. */
  sketches: Uint8Array;
  /** Word count per id (capped at 65535). */
  words: Uint16Array;
  /** 32 bits of the canonical-JSON hash per id: equal hashes are exact duplicates. */
  exact: Uint32Array;
}

/** Previous members of a band group each example is compared with (besides the group's first). */
const WINDOW = 8;

/**
 * Calls `visit(a, b, similarity)` (a < b) for pairs of `ids` whose estimated similarity is at least
 * `threshold`, or which are exact duplicates. A pair may be visited more than once (once per band it
 * shares). Examples sharing a band are compared with the group's first member and the `WINDOW`
 * members before them, which bounds the work on huge groups (many copies of one example) at
 * O(n * bands * WINDOW) while still linking every member of a cluster to it.
 */
export function forEachSimilarPair(
  view: SketchView,
  ids: Uint32Array,
  threshold: number,
  visit: (a: number, b: number, similarity: number) => void,
): void {
  const { rows } = banding(threshold);
  const keys = new Uint32Array(ids.length);
  const sortedBand = (band: number): SortedIds => {
    for (let i = 0; i < ids.length; i++) keys[i] = bandKey(view.sketches, ids[i]! * BINS, band, rows);
    return radixSort(keys, ids);
  };
  forEachSimilarPairIn(view, threshold, sortedBand, visit);
}

/**
 * `forEachSimilarPair` with each band's (band key, id) pairs supplied sorted by key then id, as an
 * index that keeps them sorted across edits has them.
 */
export function forEachSimilarPairIn(
  view: SketchView,
  threshold: number,
  sortedBand: (band: number) => SortedIds,
  visit: (a: number, b: number, similarity: number) => void,
  linked?: (a: number, b: number) => boolean,
): void {
  const { bands } = banding(threshold);
  const check = pairChecker(view, threshold, visit, linked);
  for (let band = 0; band < bands; band++) {
    const { ids, keys } = sortedBand(band);
    let start = 0;
    while (start < ids.length) {
      let end = start + 1;
      while (end < ids.length && keys[end] === keys[start]) end++;
      // A group whose members are all linked to its first already can join nothing: one check
      // each instead of WINDOW + 1 (a templated file is one cluster after its first few bands).
      let joined = linked !== undefined && end - start > 2;
      for (let j = start + 1; j < end && joined; j++) joined = linked!(ids[start]!, ids[j]!);
      if (joined) {
        start = end;
        continue;
      }
      for (let j = start + 1; j < end; j++) {
        const b = ids[j]!;
        check(ids[start]!, b);
        for (let k = Math.max(start + 1, j - WINDOW); k < j; k++) check(ids[k]!, b);
      }
      start = end;
    }
  }
}

/**
 * `check(a, b)`: visits the pair when the two are exact duplicates (similarity 1) or their estimate
 * reaches `threshold`. The view's arrays are taken once: a search checks millions of pairs and no
 * example is added meanwhile. A pair `linked` says is connected already is not compared: a search
 * for clusters needs only the pairs that join two, and on templated data (nearly every line in one
 * cluster) the comparisons were most of its time.
 */
function pairChecker(
  view: SketchView,
  threshold: number,
  visit: (a: number, b: number, similarity: number) => void,
  linked?: (a: number, b: number) => boolean,
): (a: number, b: number) => void {
  const { sketches, words, exact } = view;
  const atLeast = fewestEqualBins(threshold);
  const allowed = BINS - atLeast;
  const sketchWords =
    sketches.byteOffset % 4 === 0
      ? new Uint32Array(sketches.buffer, sketches.byteOffset, sketches.length >>> 2)
      : undefined;
  return (a, b) => {
    if (linked?.(a, b)) return;
    if (exact[a] === exact[b]) {
      visit(a, b, 1);
      return;
    }
    if (words[a]! < MIN_WORDS || words[b]! < MIN_WORDS) return;
    const equal = sketchWords
      ? equalWords(sketchWords, a * (BINS / 4), sketchWords, b * (BINS / 4), allowed)
      : equalBins(sketches, a * BINS, sketches, b * BINS);
    if (equal >= atLeast) visit(a, b, estimate(equal));
  };
}

/** The position of the first id at least `id` in ids sorted ascending. */
function lowerBound(ids: Uint32Array, id: number): number {
  let low = 0;
  let high = ids.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (ids[mid]! < id) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * The pairs `forEachSimilarPairIn` visits whose later member is `b`, for one example: each band's
 * group of `b` (`groupOf`, ids ascending) compares it with the group's first member and the
 * `WINDOW` members before it.
 */
export function forEachSimilarPairOf(
  view: SketchView,
  threshold: number,
  groupOf: (band: number) => Uint32Array,
  b: number,
  visit: (a: number, b: number, similarity: number) => void,
  linked?: (a: number, b: number) => boolean,
): void {
  const { bands } = banding(threshold);
  const check = pairChecker(view, threshold, visit, linked);
  for (let band = 0; band < bands; band++) {
    const group = groupOf(band);
    const j = lowerBound(group, b);
    if (j === 0 || group[j] !== b) continue;
    check(group[0]!, b);
    for (let k = Math.max(1, j - WINDOW); k < j; k++) check(group[k]!, b);
  }
}

/**
 * The ids whose visited pairs change when `id` joins or leaves a band group (ids ascending, `id`
 * in it or not): the `WINDOW` members after it, which compare with it or past it, and every member
 * when it is, or was, the group's first.
 */
export function pairsChangedBy(group: Uint32Array, id: number, into: Set<number>): void {
  const at = lowerBound(group, id);
  const end = at === 0 ? group.length : Math.min(group.length, at + WINDOW + 1);
  for (let k = at; k < end; k++) into.add(group[k]!);
}
