/**
 * Per-example storage for dataset indexes: typed-array columns indexed by example id (ids are dense
 * line numbers), grown by half again when full (less slack than doubling, at a few more copies). A few bytes per example instead of an object or a Map entry
 * (~80+ bytes each), which is what keeps a million-line file within the memory budget.
 */

type TypedArray = Float64Array | Float32Array | Uint32Array | Int32Array | Uint16Array | Uint8Array;
type TypedArrayConstructor<T extends TypedArray> = new (length: number) => T;

class Column<T extends TypedArray> {
  values: T;

  constructor(
    private readonly Type: TypedArrayConstructor<T>,
    readonly width = 1,
  ) {
    this.values = new Type(0);
  }

  ensure(capacity: number): void {
    if (this.values.length >= capacity * this.width) return;
    const next = new this.Type(
      Math.max(capacity, Math.ceil((this.values.length / this.width) * 1.5), 64) * this.width,
    );
    next.set(this.values as never);
    this.values = next;
  }
}

/** Which ids are present, with their columns grown together. */
export class IdSet {
  private alive = new Uint8Array(0);
  private readonly columns: Column<TypedArray>[] = [];
  /** One past the highest id ever added. */
  end = 0;
  size = 0;

  column<T extends TypedArray>(Type: TypedArrayConstructor<T>, width = 1): Column<T> {
    const column = new Column(Type, width);
    column.ensure(this.alive.length);
    this.columns.push(column as unknown as Column<TypedArray>);
    return column;
  }

  /** Marks an id present; false when it already was (the caller then ignores the add). */
  add(id: number): boolean {
    if (!Number.isInteger(id) || id < 0) return false;
    if (id >= this.alive.length) {
      const capacity = Math.max(id + 1, Math.ceil(this.alive.length * 1.5), 64);
      const next = new Uint8Array(capacity);
      next.set(this.alive);
      this.alive = next;
      for (const column of this.columns) column.ensure(capacity);
    }
    if (this.alive[id]) return false;
    this.alive[id] = 1;
    this.size++;
    if (id >= this.end) this.end = id + 1;
    return true;
  }

  remove(id: number): boolean {
    if (!this.has(id)) return false;
    this.alive[id] = 0;
    this.size--;
    return true;
  }

  /**
   * Renumbers every id from `from` on to id + `delta` with its column values (lines moved by an edit):
   * a memmove per column instead of a remove and an add per id. The ids it moves onto must be absent
   * (for a negative delta, the caller removed them first).
   */
  move(from: number, delta: number): void {
    if (delta === 0 || from >= this.end) return;
    const end = this.end + delta;
    if (delta > 0 && end > this.alive.length) {
      const capacity = Math.max(end, Math.ceil(this.alive.length * 1.5), 64);
      const next = new Uint8Array(capacity);
      next.set(this.alive);
      this.alive = next;
      for (const column of this.columns) column.ensure(capacity);
    }
    this.alive.copyWithin(from + delta, from, this.end);
    for (const column of this.columns)
      column.values.copyWithin((from + delta) * column.width, from * column.width, this.end * column.width);
    // The ids left behind: the gap a paste opens, or the tail a deletion frees.
    if (delta > 0) this.alive.fill(0, from, from + delta);
    else this.alive.fill(0, end, this.end);
    this.end = end;
  }

  has(id: number): boolean {
    return id >= 0 && id < this.alive.length && this.alive[id] === 1;
  }

  /** Present ids in ascending order: reports iterate in id order, so they never depend on edit history. */
  ids(): Uint32Array {
    const out = new Uint32Array(this.size);
    let n = 0;
    for (let id = 0; id < this.end; id++) if (this.alive[id]) out[n++] = id;
    return out;
  }
}
