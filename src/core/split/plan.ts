/**
 * The pure half of `tunesmith split`: group examples that must stay together (exact and near
 * duplicates, by union-find over LSH candidate pairs) and assign whole groups to train or validation
 * with a seeded RNG, optionally per stratum so class proportions survive the split.
 */
import { radixSort, UnionFind } from '../rules/consistency/grouping.ts';
import { forEachSimilarPair, type SketchView } from '../rules/consistency/sketch.ts';

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

/**
 * Groups as flat typed arrays (no object or array per group, so a million singletons stay small):
 * group g's members, ascending, are `order[starts[g]]` up to `order[starts[g + 1]]`; groups are in
 * the order of their first member.
 */
export interface Groups {
  order: Uint32Array;
  starts: Uint32Array;
  stratum: Int32Array;
}

export function groupCount(groups: Groups): number {
  return groups.starts.length - 1;
}

export function groupSize(groups: Groups, g: number): number {
  return groups.starts[g + 1]! - groups.starts[g]!;
}

/** Groups of ids that must not be separated; each id in `ids` (ascending) lands in exactly one group. */
export function groupSimilar(
  view: SketchView,
  ids: Uint32Array,
  end: number,
  threshold: number,
  stratumOf: (id: number) => number,
): Groups {
  const sets = new UnionFind(end);
  forEachSimilarPair(view, ids, threshold, (a, b) => sets.union(a, b));
  // Key each id by its group's first member; a stable sort then lays groups out one after another.
  const first = new Int32Array(end).fill(-1);
  const keys = new Uint32Array(ids.length);
  ids.forEach((id, i) => {
    const root = sets.find(id);
    if (first[root] === -1) first[root] = id;
    keys[i] = first[root]!;
  });
  const sorted = radixSort(keys, ids);
  const starts: number[] = [];
  for (let i = 0; i < sorted.keys.length; i++)
    if (i === 0 || sorted.keys[i] !== sorted.keys[i - 1]) starts.push(i);
  starts.push(sorted.keys.length);
  const groups: Groups = {
    order: sorted.ids,
    starts: Uint32Array.from(starts),
    stratum: new Int32Array(starts.length - 1),
  };
  // A group's stratum is its first member's: near-duplicates nearly always share a label.
  for (let g = 0; g < groups.stratum.length; g++)
    groups.stratum[g] = stratumOf(groups.order[groups.starts[g]!]!);
  return groups;
}

/**
 * Chooses the validation groups: per stratum, groups in seeded random order, each taken while it
 * fits under the stratum's target (`fraction` of its examples, rounded). Returns a flag per id (1 =
 * validation) for ids below `end`.
 */
export function assignValidation(groups: Groups, fraction: number, seed: number, end: number): Uint8Array {
  const random = seededRandom(seed);
  const count = groupCount(groups);
  const strata = [...new Set(groups.stratum)].sort((a, b) => a - b);
  const validation = new Uint8Array(end);
  for (const stratum of strata) {
    const list: number[] = [];
    let size = 0;
    for (let g = 0; g < count; g++) {
      if (groups.stratum[g] !== stratum) continue;
      list.push(g);
      size += groupSize(groups, g);
    }
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
    const target = Math.round(fraction * size);
    let taken = 0;
    for (const g of list) {
      if (taken >= target) break;
      const n = groupSize(groups, g);
      if (taken + n > target) continue;
      taken += n;
      for (let i = groups.starts[g]!; i < groups.starts[g + 1]!; i++) validation[groups.order[i]!] = 1;
    }
  }
  return validation;
}
