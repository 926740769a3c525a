/**
 * The pure half of `tunesmith split`: group examples that must stay together (exact and near
 * duplicates, by union-find over LSH candidate pairs) and assign whole groups to train or validation
 * with a seeded RNG, optionally per stratum so class proportions survive the split.
 */
import { forEachSimilarPair, type SketchView } from '../../server/rules/consistency/sketch.ts';

/** Union-find over ids with path halving and union by size. */
export class UnionFind {
  private readonly parent: Int32Array;
  private readonly size: Int32Array;

  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
    this.size = new Int32Array(n).fill(1);
  }

  find(x: number): number {
    while (this.parent[x] !== x) {
      this.parent[x] = this.parent[this.parent[x]!]!;
      x = this.parent[x]!;
    }
    return x;
  }

  union(a: number, b: number): void {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return;
    if (this.size[ra]! < this.size[rb]!) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    this.size[ra]! += this.size[rb]!;
  }
}

/** mulberry32: a small, well-distributed seeded PRNG; Math.random cannot be seeded. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Group {
  /** Member ids, ascending. */
  members: number[];
  stratum: number;
}

/** Groups of ids that must not be separated; each id in `ids` lands in exactly one group. */
export function groupSimilar(
  view: SketchView,
  ids: Uint32Array,
  end: number,
  threshold: number,
  stratumOf: (id: number) => number,
): Group[] {
  const sets = new UnionFind(end);
  forEachSimilarPair(view, ids, threshold, (a, b) => sets.union(a, b));
  const byRoot = new Map<number, number[]>();
  for (const id of ids) {
    const root = sets.find(id);
    const members = byRoot.get(root);
    if (members) members.push(id);
    else byRoot.set(root, [id]);
  }
  // A group's stratum is its first member's: near-duplicates nearly always share a label.
  return [...byRoot.values()].map((members) => ({ members, stratum: stratumOf(members[0]!) }));
}

/**
 * Chooses the validation groups: per stratum, groups in seeded random order, each taken while it
 * fits under the stratum's target (`fraction` of its examples, rounded). Returns a flag per id (1 =
 * validation) for ids below `end`.
 */
export function assignValidation(groups: Group[], fraction: number, seed: number, end: number): Uint8Array {
  const random = seededRandom(seed);
  const strata = new Map<number, Group[]>();
  for (const group of groups) {
    const list = strata.get(group.stratum);
    if (list) list.push(group);
    else strata.set(group.stratum, [group]);
  }
  const validation = new Uint8Array(end);
  for (const stratum of [...strata.keys()].sort((a, b) => a - b)) {
    const list = strata.get(stratum)!.sort((a, b) => a.members[0]! - b.members[0]!);
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
    const size = list.reduce((sum, group) => sum + group.members.length, 0);
    const target = Math.round(fraction * size);
    let taken = 0;
    for (const group of list) {
      if (taken >= target) break;
      if (taken + group.members.length > target) continue;
      taken += group.members.length;
      for (const id of group.members) validation[id] = 1;
    }
  }
  return validation;
}
