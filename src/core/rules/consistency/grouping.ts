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

/** Pairs of keys and ids ordered by key, then id (what `radixSort` gives for ids in ascending order). */
export interface SortedIds {
  keys: Uint32Array;
  ids: Uint32Array;
}

/** The key of an id with a 53-bit hash as `forEachGroup` groups it; undefined when it has no value. */
export function hashKey(hash: number): number | undefined {
  return hash === hash && hash !== 0 ? hash >>> 0 : undefined;
}

/**
 * Changes logged between two reads before the pairs are sorted again instead: merging k changes
 * costs O(n + k log k), sorting again O(n) with a larger constant and a read of every key, so the
 * log is kept up to about as many changes as there are pairs.
 */
const MIN_LOG = 256;
/** Up to this many changes are patched one by one (a binary search and a memmove each), more are merged. */
const MAX_SINGLE_PATCHES = 8;

/**
 * `SortedIds` kept across reports. The language server changes a few ids between two reports (one
 * edited line is one remove and one add), so the sorted pairs are patched in place (a binary search
 * and a memmove per change, or one merge for a batch such as a pasted block) rather than sorted
 * again; more changes than pairs sort again. The
 * first `sorted()` keeps nothing and changes are tracked only from the second on: a file read once
 * (the CLI, a large file linted from disk) reports once, and holds no sorted copy of its ids.
 */
export class SortedPairs {
  private keys: Uint32Array = new Uint32Array(0);
  private ids: Uint32Array = new Uint32Array(0);
  private length = 0;
  private valid = false;
  private reads = 0;
  /** Changes since the last `sorted()`, as (1 add | 0 remove, key, id) triples. */
  private log: number[] = [];
  /**
   * Changes since the last `update` already patched in (by `move`), their ids renumbered as the ids
   * moved: `update` hands them out with the rest of the log.
   */
  private applied: number[] = [];

  /** `keyOf` reads an id's current key, or undefined to leave the id out. */
  constructor(private readonly keyOf: (id: number) => number | undefined) {}

  /** After an id was added (its key readable). */
  added(id: number): void {
    this.record(1, id);
  }

  /** Before an id is removed or its key changes. */
  removing(id: number): void {
    this.record(0, id);
  }

  /** The pairs of every present id; `allIds` (ascending) is read only when they must be sorted again. */
  sorted(allIds: () => Uint32Array): SortedIds {
    if (!this.valid) {
      const sorted = this.sort(allIds());
      if (++this.reads === 1) return sorted;
      [this.keys, this.ids, this.length, this.valid] = [sorted.keys, sorted.ids, sorted.keys.length, true];
    } else this.apply(this.log);
    this.log = [];
    this.applied = [];
    return { keys: this.keys.subarray(0, this.length), ids: this.ids.subarray(0, this.length) };
  }

  /**
   * For a caller that reports after every few changes (the editor's `update`): the pairs of every
   * present id, kept from the first call on, and the changes patched in since the previous call as
   * (1 add | 0 remove, key, id) triples; `changes` is undefined when they are not known (the first
   * call, or more changes than are patched, after which the pairs were sorted again). Ids moved
   * since the previous call are not among the changes: the caller knows which moved.
   */
  update(allIds: () => Uint32Array): { sorted: SortedIds; changes: number[] | undefined } {
    let changes: number[] | undefined;
    if (this.valid) {
      this.apply(this.log);
      changes = this.applied.length === 0 ? this.log : this.applied.concat(this.log);
    } else {
      const sorted = this.sort(allIds());
      [this.keys, this.ids, this.length, this.valid] = [sorted.keys, sorted.ids, sorted.keys.length, true];
    }
    this.log = [];
    this.applied = [];
    return {
      sorted: { keys: this.keys.subarray(0, this.length), ids: this.ids.subarray(0, this.length) },
      changes,
    };
  }

  /**
   * After `IdSet.move`: every id from `from` on is id + `delta`. Keys and the order of ids are kept,
   * so the pairs stay sorted with no new sort; the changes logged so far are patched in first and
   * kept, renumbered, for the next `update`.
   */
  move(from: number, delta: number): void {
    if (!this.valid || delta === 0) return;
    // Removals still in the log would otherwise meet the moved ids out of order.
    this.apply(this.log);
    for (let i = 2; i < this.applied.length; i += 3) if (this.applied[i]! >= from) this.applied[i]! += delta;
    for (let i = 0; i < this.log.length; i += 3) {
      const id = this.log[i + 2]!;
      this.applied.push(this.log[i]!, this.log[i + 1]!, id >= from ? id + delta : id);
    }
    this.log = [];
    // Without a branch: ids below and above `from` alternate in key order, and a mispredicted branch
    // per pair made this loop the largest cost of a paste (ids stay below 2^31, so int32 math holds).
    const ids = this.ids;
    for (let i = 0; i < this.length; i++) {
      const id = ids[i]!;
      ids[i] = id + (((from - 1 - id) >> 31) & delta);
    }
  }

  private record(op: number, id: number): void {
    if (!this.valid) return;
    const key = this.keyOf(id);
    if (key === undefined) return;
    if (this.log.length + this.applied.length >= Math.max(MIN_LOG, this.length) * 3) {
      this.valid = false;
      this.log = [];
      this.applied = [];
    } else this.log.push(op, key, id);
  }

  private sort(all: Uint32Array): SortedIds {
    const keys = new Uint32Array(all.length);
    const ids = new Uint32Array(all.length);
    let n = 0;
    // Indexed loops and no array destructuring here and in `apply`: they run a few times per edit,
    // often unoptimised, and there both allocate an object per element.
    for (let i = 0; i < all.length; i++) {
      const id = all[i]!;
      const key = this.keyOf(id);
      if (key === undefined) continue;
      keys[n] = key;
      ids[n++] = id;
    }
    return radixSort(keys.subarray(0, n), ids.subarray(0, n));
  }

  /** Applies logged changes in order: one by one when few, else merged in one pass. */
  private apply(log: readonly number[]): void {
    if (log.length <= MAX_SINGLE_PATCHES * 3) {
      for (let i = 0; i < log.length; i += 3) this.patch(log[i]!, log[i + 1]!, log[i + 2]!);
      return;
    }
    // Changes by (key, id), the later first among equal pairs: the last change of a pair decides.
    const order = Array.from({ length: log.length / 3 }, (_, i) => i * 3);
    order.sort((a, b) => log[a + 1]! - log[b + 1]! || log[a + 2]! - log[b + 2]! || b - a);
    // Into new arrays: a spare pair kept for the next merge would double the memory of every band.
    const keys = new Uint32Array(Math.max(64, this.length + order.length));
    const ids = new Uint32Array(keys.length);
    let read = 0;
    let write = 0;
    let previous = -1;
    for (let o = 0; o < order.length; o++) {
      const at = order[o]!;
      const op = log[at]!;
      const key = log[at + 1]!;
      const id = log[at + 2]!;
      if (previous !== -1 && log[previous + 1] === key && log[previous + 2] === id) continue;
      previous = at;
      // Pairs before (key, id) are copied as they are, in one block.
      let high = this.length;
      let low = read;
      while (low < high) {
        const mid = (low + high) >>> 1;
        const k = this.keys[mid]!;
        if (k < key || (k === key && this.ids[mid]! < id)) low = mid + 1;
        else high = mid;
      }
      keys.set(this.keys.subarray(read, low), write);
      ids.set(this.ids.subarray(read, low), write);
      write += low - read;
      read = low;
      const found = read < this.length && this.keys[read] === key && this.ids[read] === id;
      if (found) read++;
      if (op === 1) {
        keys[write] = key;
        ids[write++] = id;
      }
    }
    keys.set(this.keys.subarray(read, this.length), write);
    ids.set(this.ids.subarray(read, this.length), write);
    write += this.length - read;
    [this.keys, this.ids, this.length] = [keys, ids, write];
  }

  private patch(op: number, key: number, id: number): void {
    let low = 0;
    let high = this.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const k = this.keys[mid]!;
      if (k < key || (k === key && this.ids[mid]! < id)) low = mid + 1;
      else high = mid;
    }
    const found = low < this.length && this.keys[low] === key && this.ids[low] === id;
    if (op === 0) {
      if (!found) return;
      this.keys.copyWithin(low, low + 1, this.length);
      this.ids.copyWithin(low, low + 1, this.length);
      this.length--;
      return;
    }
    if (found) return;
    if (this.length === this.keys.length) {
      const capacity = Math.max(64, Math.ceil(this.length * 1.5));
      const keys = new Uint32Array(capacity);
      const ids = new Uint32Array(capacity);
      keys.set(this.keys);
      ids.set(this.ids);
      this.keys = keys;
      this.ids = ids;
    }
    this.keys.copyWithin(low + 1, low, this.length);
    this.ids.copyWithin(low + 1, low, this.length);
    this.keys[low] = key;
    this.ids[low] = id;
    this.length++;
  }
}

/** The pairs of one key in sorted pairs (empty when none has it), by binary search. */
export function pairsOf(sorted: SortedIds, key: number): SortedIds {
  const bound = (above: boolean): number => {
    let low = 0;
    let high = sorted.keys.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (sorted.keys[mid]! < key || (above && sorted.keys[mid] === key)) low = mid + 1;
      else high = mid;
    }
    return low;
  };
  const [start, end] = [bound(false), bound(true)];
  return { keys: sorted.keys.subarray(start, end), ids: sorted.ids.subarray(start, end) };
}

/** Sorts the ids with a value in `hashes` by its low 32 bits, as `forEachGroup` needs them. */
export function sortByHash(ids: Uint32Array, hashes: Float64Array | Uint32Array): SortedIds {
  const present = ids.filter((id) => hashKey(hashes[id]!) !== undefined);
  const low = new Uint32Array(present.length);
  for (let i = 0; i < present.length; i++) low[i] = hashes[present[i]!]! >>> 0;
  return radixSort(low, present);
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
  forEachSortedGroup(sortByHash(ids, hashes), hashes, minSize, visit);
}

/** `forEachGroup` over ids already sorted by `sortByHash` (or kept sorted by `SortedPairs` with `hashKey`). */
export function forEachSortedGroup(
  sorted: SortedIds,
  hashes: Float64Array | Uint32Array,
  minSize: number,
  visit: (members: number[], hash: number) => void,
): void {
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

/**
 * Calls `visit(start, end)` for each run of equal keys in sorted pairs: the groups of a 32-bit hash
 * column (its key is the whole hash), without an array per group.
 */
export function forEachRun(sorted: SortedIds, visit: (start: number, end: number) => void): void {
  const { keys } = sorted;
  let start = 0;
  while (start < keys.length) {
    let end = start + 1;
    while (end < keys.length && keys[end] === keys[start]) end++;
    visit(start, end);
    start = end;
  }
}

/** Union-find over ids with path halving and union by size. */
export class UnionFind {
  private readonly parent: Int32Array;
  private readonly size: Int32Array;

  constructor(n: number) {
    this.parent = new Int32Array(n);
    for (let i = 0; i < n; i++) this.parent[i] = i;
    this.size = new Int32Array(n).fill(1);
  }

  find(x: number): number {
    while (this.parent[x] !== x) {
      this.parent[x] = this.parent[this.parent[x]!]!;
      x = this.parent[x]!;
    }
    return x;
  }

  /** Joins the sets of two roots (`find`'s results) and returns the root of the union. */
  unionRoots(ra: number, rb: number): number {
    if (ra === rb) return ra;
    if (this.size[ra]! < this.size[rb]!) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    this.size[ra]! += this.size[rb]!;
    return ra;
  }

  union(a: number, b: number): void {
    this.unionRoots(this.find(a), this.find(b));
  }

  /** How many ids the set of a root holds. */
  sizeOf(root: number): number {
    return this.size[root]!;
  }
}

/**
 * Union-find over any numbers, added on first use: for nodes too sparse for `UnionFind`'s arrays
 * over an id range (line numbers of findings; ids mixed with clusters as negative nodes).
 */
export class SparseUnionFind {
  private readonly parent = new Map<number, number>();

  find(node: number): number {
    if (!this.parent.has(node)) this.parent.set(node, node);
    let root = node;
    while (this.parent.get(root) !== root) root = this.parent.get(root)!;
    for (let at = node; at !== root;) {
      const up = this.parent.get(at)!;
      this.parent.set(at, root);
      at = up;
    }
    return root;
  }

  /** Joins the sets of `a` and `b`, under `a`'s root. */
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(rb, ra);
  }

  /** Every node, in the order it was first used. */
  nodes(): IterableIterator<number> {
    return this.parent.keys();
  }
}
