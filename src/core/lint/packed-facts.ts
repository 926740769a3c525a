/**
 * The dataset facts of a batch of lines, packed column by column for `postMessage`.
 *
 * Why: checkers' facts are small objects of numbers (hashes), a 64-byte sketch, or a short string,
 * one of each per line and checker. Posted as they are, structured clone copies ~8 objects and one
 * ArrayBuffer per line, and the main thread rebuilds them: on the 120 MB bench corpus that was a
 * fifth of the main thread's time, much of its garbage, and a string per line kept by the format
 * index. Packed, a column of records is one Float64Array (plus one Uint8Array for byte fields) per
 * batch, strings are sent once per batch, and the main thread interns them across batches.
 *
 * Any column whose values do not fit a packed shape (other types, keys that vary from line to line)
 * travels as a plain array, so packing never changes what an index receives, only how it travels.
 */

type PackedColumn =
  | { kind: 'empty' }
  | { kind: 'number'; values: Float64Array; present: Uint8Array }
  | { kind: 'string'; table: string[]; index: Int32Array }
  | {
      kind: 'record';
      /** The keys, in the order of the first record. */
      keys: string[];
      /** Per key: 0 for a number, else the length of its Uint8Array. */
      lengths: number[];
      /** The number fields, `numberStride` per line. */
      numbers: Float64Array;
      numberStride: number;
      /** The byte fields concatenated, `byteStride` per line. */
      bytes: Uint8Array;
      byteStride: number;
      present: Uint8Array;
    }
  | { kind: 'plain'; values: unknown[] };

export interface PackedFacts {
  /** The lines of the batch that have any facts, in order. */
  lines: Int32Array;
  /** One column per dataset checker, each `lines.length` long. */
  columns: PackedColumn[];
}

/** Packs rows of facts (one array per line, one entry per checker). */
export function packFacts(lines: readonly number[], rows: readonly (readonly unknown[])[]): PackedFacts {
  const width = rows.length > 0 ? rows[0]!.length : 0;
  const columns: PackedColumn[] = [];
  for (let k = 0; k < width; k++) columns.push(packColumn(rows, k));
  return { lines: Int32Array.from(lines), columns };
}

function packColumn(rows: readonly (readonly unknown[])[], k: number): PackedColumn {
  let first: unknown;
  for (const row of rows) {
    if (row[k] !== undefined) {
      first = row[k];
      break;
    }
  }
  if (first === undefined) return { kind: 'empty' };
  const packed =
    typeof first === 'number'
      ? packNumbers(rows, k)
      : typeof first === 'string'
        ? packStrings(rows, k)
        : isPlainObject(first)
          ? packRecords(rows, k, first)
          : undefined;
  return packed ?? { kind: 'plain', values: rows.map((row) => row[k]) };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function packNumbers(rows: readonly (readonly unknown[])[], k: number): PackedColumn | undefined {
  const values = new Float64Array(rows.length);
  const present = new Uint8Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const value = rows[i]![k];
    if (value === undefined) continue;
    if (typeof value !== 'number') return undefined;
    values[i] = value;
    present[i] = 1;
  }
  return { kind: 'number', values, present };
}

function packStrings(rows: readonly (readonly unknown[])[], k: number): PackedColumn | undefined {
  const table: string[] = [];
  const slots = new Map<string, number>();
  const index = new Int32Array(rows.length).fill(-1);
  for (let i = 0; i < rows.length; i++) {
    const value = rows[i]![k];
    if (value === undefined) continue;
    if (typeof value !== 'string') return undefined;
    let slot = slots.get(value);
    if (slot === undefined) {
      slot = table.push(value) - 1;
      slots.set(value, slot);
    }
    index[i] = slot;
  }
  return { kind: 'string', table, index };
}

function packRecords(
  rows: readonly (readonly unknown[])[],
  k: number,
  first: Record<string, unknown>,
): PackedColumn | undefined {
  const keys = Object.keys(first);
  const lengths: number[] = [];
  for (const key of keys) {
    const value = first[key];
    if (typeof value === 'number') lengths.push(0);
    else if (value instanceof Uint8Array && value.length > 0) lengths.push(value.length);
    else return undefined;
  }
  const numberStride = lengths.filter((length) => length === 0).length;
  const byteStride = lengths.reduce((a, b) => a + b, 0);
  const numbers = new Float64Array(rows.length * numberStride);
  const bytes = new Uint8Array(rows.length * byteStride);
  const present = new Uint8Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const value = rows[i]![k];
    if (value === undefined) continue;
    if (!isPlainObject(value) || ownKeyCount(value) !== keys.length) return undefined;
    let n = i * numberStride;
    let b = i * byteStride;
    for (let j = 0; j < keys.length; j++) {
      const field = value[keys[j]!];
      const length = lengths[j]!;
      if (length === 0) {
        if (typeof field !== 'number') return undefined;
        numbers[n++] = field;
      } else {
        if (!(field instanceof Uint8Array) || field.length !== length) return undefined;
        bytes.set(field, b);
        b += length;
      }
    }
    present[i] = 1;
  }
  return { kind: 'record', keys, lengths, numbers, numberStride, bytes, byteStride, present };
}

function ownKeyCount(value: Record<string, unknown>): number {
  let count = 0;
  for (const key in value) if (Object.hasOwn(value, key)) count++;
  return count;
}

/**
 * Unpacks a batch: calls `visit` with each line and its facts, as `packFacts` was given them (byte
 * fields become views into the batch's buffer; indexes copy what they keep). `intern` keeps one
 * instance of each string across batches.
 */
export function unpackFacts(
  packed: PackedFacts,
  visit: (line: number, facts: unknown[]) => void,
  intern: Map<string, string> = new Map(),
): void {
  const columns = packed.columns.map((column) =>
    column.kind === 'string'
      ? { ...column, table: column.table.map((s) => internString(intern, s)) }
      : column,
  );
  for (let i = 0; i < packed.lines.length; i++) {
    const facts = columns.map((column) => valueAt(column, i));
    visit(packed.lines[i]!, facts);
  }
}

function internString(intern: Map<string, string>, value: string): string {
  const known = intern.get(value);
  if (known !== undefined) return known;
  // Bounded: strings facts are formats and line endings, a handful of distinct values.
  if (intern.size < 10_000) intern.set(value, value);
  return value;
}

function valueAt(column: PackedColumn, i: number): unknown {
  switch (column.kind) {
    case 'empty':
      return undefined;
    case 'number':
      return column.present[i] ? column.values[i] : undefined;
    case 'string': {
      const slot = column.index[i]!;
      return slot === -1 ? undefined : column.table[slot];
    }
    case 'plain':
      return column.values[i];
    case 'record': {
      if (!column.present[i]) return undefined;
      const value: Record<string, unknown> = {};
      let n = i * column.numberStride;
      let b = i * column.byteStride;
      for (let j = 0; j < column.keys.length; j++) {
        const length = column.lengths[j]!;
        if (length === 0) value[column.keys[j]!] = column.numbers[n++];
        else {
          value[column.keys[j]!] = column.bytes.subarray(b, b + length);
          b += length;
        }
      }
      return value;
    }
  }
}
