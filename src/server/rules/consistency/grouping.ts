/**
 * Grouping ids by a key without a Map entry per distinct key: a stable LSD radix sort of (key, id)
 * pairs, two 16-bit passes. Linear time, and only transient typed arrays, so a report over a
 * million examples sorts in milliseconds and frees everything afterwards.
 */

/** Stable sort of `ids` by `keys` (parallel arrays); returns new arrays. Equal keys keep id order. */
export function radixSort(keys: Uint32Array, ids: Uint32Array): { keys: Uint32Array; ids: Uint32Array } {
  const n = keys.length;
  const keyTemp = new Uint32Array(n);
  const idTemp = new Uint32Array(n);
  const keyOut = new Uint32Array(n);
  const idOut = new Uint32Array(n);
  const counts = new Uint32Array(65537);
  // Two passes, low 16 bits then high 16 bits; the inputs are never written.
  const pass = (
    keyIn: Uint32Array,
    idIn: Uint32Array,
    keyTo: Uint32Array,
    idTo: Uint32Array,
    shift: number,
  ): void => {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[((keyIn[i]! >>> shift) & 0xffff) + 1]!++;
    for (let b = 1; b <= 65536; b++) counts[b]! += counts[b - 1]!;
    for (let i = 0; i < n; i++) {
      const slot = counts[(keyIn[i]! >>> shift) & 0xffff]!++;
      keyTo[slot] = keyIn[i]!;
      idTo[slot] = idIn[i]!;
    }
  };
  pass(keys, ids, keyTemp, idTemp, 0);
  pass(keyTemp, idTemp, keyOut, idOut, 16);
  return { keys: keyOut, ids: idOut };
}

/**
 * Calls `visit` with each group of ids (ascending) that share a 53-bit hash, for groups of at least
 * `minSize`. Ids whose hash is NaN or 0 are skipped (no value).
 */
export function forEachGroup(
  ids: Uint32Array,
  hashes: Float64Array | Uint32Array,
  minSize: number,
  visit: (members: number[], hash: number) => void,
): void {
  const present = ids.filter((id) => {
    const hash = hashes[id]!;
    return hash === hash && hash !== 0;
  });
  const low = new Uint32Array(present.length);
  for (let i = 0; i < present.length; i++) low[i] = hashes[present[i]!]! >>> 0;
  const sorted = radixSort(low, present);
  let start = 0;
  while (start < sorted.ids.length) {
    let end = start + 1;
    while (end < sorted.ids.length && sorted.keys[end] === sorted.keys[start]) end++;
    if (end - start >= minSize) {
      const firstHash = hashes[sorted.ids[start]!]!;
      let same = true;
      for (let i = start + 1; i < end && same; i++) same = hashes[sorted.ids[i]!] === firstHash;
      if (same) visit(Array.from(sorted.ids.subarray(start, end)), firstHash);
      else {
        // Equal low 32 bits with different hashes: rare, split the run exactly.
        const byHash = new Map<number, number[]>();
        for (let i = start; i < end; i++) {
          const id = sorted.ids[i]!;
          const hash = hashes[id]!;
          const members = byHash.get(hash);
          if (members) members.push(id);
          else byHash.set(hash, [id]);
        }
        for (const [hash, members] of byHash) if (members.length >= minSize) visit(members, hash);
      }
    }
    start = end;
  }
}
