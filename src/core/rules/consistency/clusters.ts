/**
 * Near-duplicate clusters for `consistency/near-duplicate`: the connected groups of the pairs the
 * sketch search visits (`forEachSimilarPairIn`: estimated similarity at or above the threshold, or
 * exact copies), by union-find, as `tunesmith split` groups examples that must stay on one side.
 * Exact copies link clusters but are not members: `consistency/duplicate` reports them, so a member
 * whose canonical-JSON hash an earlier member has is left out, and a cluster of copies only has no
 * near-duplicate finding. One finding per cluster, on its first line.
 *
 * The editor keeps the clustering between edits (`ClusterState`): an edit re-clusters only the
 * clusters whose pairs it can have changed (`recluster`), and the result equals a fresh clustering
 * of the final text (the incremental-equals-fresh property test checks edits that split and join).
 */
import type { IdSet } from './columns.ts';
import { SparseUnionFind, UnionFind, type SortedIds } from './grouping.ts';
import { forEachSimilarPairIn, forEachSimilarPairOf, type SketchView } from './sketch.ts';

/**
 * Cluster numbers by id (0: in no cluster), kept across edits. Numbers, not ids, name clusters, so
 * that `move` (a column of the index's `IdSet`) renumbers nothing but the ids. Only connectivity is
 * kept: a pair whose two ids are linked already is not compared (`linked`), which makes the
 * clusters independent of the order pairs are met in, and a fresh report equal to an edited one.
 */
export class ClusterState {
  private readonly numbers;
  /** The highest cluster number given out since the last fresh clustering. */
  private last = 0;
  /** Clusters a removed member left: their pairs changed although no remaining member's facts did. */
  private readonly dirty = new Set<number>();

  constructor(private readonly set: IdSet) {
    this.numbers = set.column(Int32Array);
  }

  private get of(): Int32Array {
    return this.numbers.values;
  }

  added(id: number): void {
    this.of[id] = 0;
  }

  removing(id: number): void {
    const number = this.of[id]!;
    if (number > 0) this.dirty.add(number);
    this.of[id] = 0;
  }

  /**
   * Clusters every example from the pairs of the sorted bands (a fresh report) and returns the
   * clusters of two or more (ids ascending), in order of their first member.
   */
  clusterAll(
    view: SketchView,
    threshold: number,
    sortedBand: (band: number) => SortedIds,
    ids: Uint32Array,
  ): number[][] {
    const end = this.set.end;
    const sets = new UnionFind(end);
    forEachSimilarPairIn(
      view,
      threshold,
      sortedBand,
      (a, b) => sets.union(a, b),
      (a, b) => sets.find(a) === sets.find(b),
    );
    this.last = 0;
    this.dirty.clear();
    const numberOf = new Int32Array(end);
    const clusters: number[][] = [];
    for (const id of ids) {
      const root = sets.find(id);
      if (sets.sizeOf(root) < 2) {
        this.of[id] = 0;
        continue;
      }
      if (numberOf[root] === 0) {
        numberOf[root] = ++this.last;
        clusters.push([]);
      }
      this.of[id] = numberOf[root]!;
      clusters[numberOf[root]! - 1]!.push(id);
    }
    return clusters;
  }

  /**
   * After adds and removes: re-clusters the examples whose pairs changed (`touched`, as
   * `pairsChangedBy` finds them) with every member of their clusters, joining the clusters they
   * link to now. Returns the clusters that changed and of `alsoOf` (ids whose findings are reported
   * again although their cluster did not change), and in `firsts` the ids that were or are the
   * first of a changed cluster: their findings are replaced.
   *
   * Why the members of the touched clusters are enough: a pair that no touched id is the later
   * member of was visited before too, with the same similarity (its later member's band groups and
   * the partner's facts are unchanged, or `pairsChangedBy` would have touched it), so both its
   * members were in one cluster before; each pair of an unchanged cluster is such a pair. The later
   * members' pairs (`forEachSimilarPairOf`) therefore find every pair of the new clusters.
   */
  recluster(
    view: SketchView,
    threshold: number,
    groupOf: (band: number, id: number) => Uint32Array,
    touched: Iterable<number>,
    alsoOf: Iterable<number>,
    firsts: Set<number>,
  ): number[][] {
    const of = this.of;
    const affected = new Set(this.dirty);
    this.dirty.clear();
    const again = new Set<number>();
    for (const id of touched) {
      if (!this.set.has(id)) continue;
      again.add(id);
      if (of[id]! > 0) affected.add(of[id]!);
    }
    const end = this.set.end;
    if (affected.size > 0) {
      const seen = new Set<number>();
      for (let id = 0; id < end; id++) {
        const number = of[id]!;
        if (number === 0 || !affected.has(number) || !this.set.has(id)) continue;
        again.add(id);
        // Ids ascending: the first met of a cluster is its first, whose finding is replaced.
        if (!seen.has(number)) firsts.add(id);
        seen.add(number);
      }
    }
    for (const id of again) of[id] = 0;
    // Union-find over the re-clustered ids, the unclustered ids they pair with, and (as one node, -n)
    // each unchanged cluster n they pair with.
    const sets = new SparseUnionFind();
    const nodeOf = (id: number): number => {
      const number = of[id]!;
      const node = number > 0 && !again.has(id) ? -number : id;
      sets.find(node);
      return node;
    };
    for (const b of again) {
      nodeOf(b);
      const groupOfB = (band: number): Uint32Array => groupOf(band, b);
      forEachSimilarPairOf(
        view,
        threshold,
        groupOfB,
        b,
        (a) => sets.union(nodeOf(a), b),
        (a) => sets.find(nodeOf(a)) === sets.find(b),
      );
    }
    // New cluster numbers for the components of two or more ids (a node -n is two or more).
    const componentSize = new Map<number, number>();
    for (const node of sets.nodes()) {
      const root = sets.find(node);
      componentSize.set(root, (componentSize.get(root) ?? 0) + (node < 0 ? 2 : 1));
    }
    const numberOfRoot = new Map<number, number>();
    const merged = new Map<number, number>(); // old cluster number -> new
    for (const node of sets.nodes()) {
      const root = sets.find(node);
      if (componentSize.get(root)! < 2) continue;
      let number = numberOfRoot.get(root);
      if (number === undefined) numberOfRoot.set(root, (number = ++this.last));
      if (node < 0) merged.set(-node, number);
      else of[node] = number;
    }
    // The clusters reported again: the new ones and those of `alsoOf`; the members of merged
    // clusters take their new number, and their old first's finding is replaced.
    const reported = new Set<number>(numberOfRoot.values());
    for (const id of alsoOf) if (this.set.has(id) && of[id]! > 0) reported.add(of[id]!);
    // An edit that touched no cluster (typing in a line like no other) scans nothing.
    if (reported.size === 0 && merged.size === 0) return [];
    const seenMerged = new Set<number>();
    const members = new Map<number, number[]>();
    for (let id = 0; id < end; id++) {
      let number = of[id]!;
      if (number === 0 || !this.set.has(id)) continue;
      const into = merged.get(number);
      if (into !== undefined) {
        if (!seenMerged.has(number)) firsts.add(id);
        seenMerged.add(number);
        of[id] = number = into;
      }
      if (!reported.has(number)) continue;
      const list = members.get(number);
      if (list) list.push(id);
      else members.set(number, [id]);
    }
    for (const list of members.values()) firsts.add(list[0]!);
    return [...members.values()];
  }
}
