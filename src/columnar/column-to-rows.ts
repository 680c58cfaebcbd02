// Column -> JSON rows (spec §8 output side): values ready for stringifyJson.
// Materializes per record on demand; the column itself stays as views.
import { popcount32 } from "./bit-count.ts";
import { bitAt, type Bits, type Column } from "./column.ts";
import type { Schema } from "./schema.ts";
import { shortestF32 } from "./shortest-f32.ts";

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Reads record i of a column as a JSON value. */
type Reader = (i: number) => unknown;

function integerValue(v: bigint): number | string {
  return v <= MAX_SAFE && v >= -MAX_SAFE ? Number(v) : v.toString();
}

function floatValue(v: number): number | string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
  return v;
}

/** rank(i) for every i (spec §4.6): set bits strictly before each record. */
function ranks(bits: Bits): Uint32Array {
  const out = new Uint32Array(bits.length + 1);
  let running = 0;
  for (let i = 0; i < bits.length; i++) {
    out[i] = running;
    if ((i & 7) === 0 && i + 8 <= bits.words.length * 8) {
      // whole byte inside the complete words: count it at once
      const byte = bits.words[i >> 3];
      for (let k = 0; k < 8; k++) out[i + k] = running + popcount32(byte & ((1 << k) - 1));
      running += popcount32(byte);
      i += 7;
      continue;
    }
    if (bitAt(bits, i)) running++;
  }
  out[bits.length] = running;
  return out;
}

function readerFor(schema: Schema, column: Column): Reader {
  switch (column.kind) {
    case "bool":
      return (i) => bitAt(column.bits, i);
    case "string":
      return (i) =>
        utf8.decode(
          column.bytes.subarray(i === 0 ? 0 : Number(column.bounds[i - 1]), Number(column.bounds[i])),
        );
    case "tuple":
    case "struct": {
      if (schema.kind !== "tuple" && schema.kind !== "struct") break;
      const readers = column.elements.map((e, k) =>
        readerFor(schema.kind === "tuple" ? schema.elements[k] : schema.fields[k].type, e),
      );
      if (schema.kind === "tuple") return (i) => readers.map((r) => r(i));
      const names = schema.fields.map((f) => f.name);
      return (i) => Object.fromEntries(names.map((n, k) => [n, readers[k](i)]));
    }
    case "vec": {
      if (schema.kind !== "vec") break;
      const item = readerFor(schema.item, column.items);
      return (i) => {
        const out: unknown[] = [];
        for (let j = i === 0 ? 0 : Number(column.bounds[i - 1]); j < Number(column.bounds[i]); j++)
          out.push(item(j));
        return out;
      };
    }
    case "option": {
      if (schema.kind !== "option") break;
      const rank = ranks(column.bits);
      const some = readerFor(schema.some, column.some);
      const isNested = schema.some.kind === "option";
      return (i) => (bitAt(column.bits, i) ? (isNested ? { Some: some(rank[i]) } : some(rank[i])) : null);
    }
    case "result": {
      if (schema.kind !== "result") break;
      const rank = ranks(column.bits);
      const ok = readerFor(schema.ok, column.ok);
      const err = readerFor(schema.err, column.err);
      return (i) => (bitAt(column.bits, i) ? { Ok: ok(rank[i]) } : { Err: err(i - rank[i]) });
    }
    case "u64":
    case "i64": {
      const data = column.data;
      return (i) => integerValue(data[i]);
    }
    case "f32": {
      const data = column.data;
      return (i) => floatValue(shortestF32(data[i]));
    }
    case "f64": {
      const data = column.data;
      return (i) => floatValue(data[i]);
    }
    default: {
      const data = column.data;
      return (i) => data[i];
    }
  }
  throw new TypeError(`Column kind ${column.kind} does not match schema kind ${schema.kind}`);
}

/** Records [from, to) of a column (default: all of them). */
export interface RowRange {
  readonly from?: number;
  readonly to?: number;
}

/**
 * Reads rows of a column range by range, in the JSON mapping of spec §8. Its set-up (the rank
 * tables of Option and Result columns, linear in the column) is done once, here: reading a long
 * column in chunks through one reader stays linear, where a `columnToRows` per chunk would redo it.
 */
export function rowReader(schema: Schema, column: Column): (range?: RowRange) => unknown[] {
  const read = readerFor(schema, column);
  return (range = {}) => {
    const rows: unknown[] = [];
    for (let i = range.from ?? 0; i < (range.to ?? column.length); i++) rows.push(read(i));
    return rows;
  };
}

/** Rows of records [from, to) of a column, in the JSON mapping of spec §8. */
export function columnToRows(schema: Schema, column: Column, range: RowRange = {}): unknown[] {
  return rowReader(schema, column)(range);
}
