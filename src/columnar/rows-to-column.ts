// JSON rows -> Column (spec §8 input side): one builder per schema node appends values into
// growable typed arrays, so rows can stream in without being kept.
import { BatchError } from "./batch-error.ts";
import { popcount32 } from "./bit-count.ts";
import { type Bits, type Column, PRIMITIVE_ARRAY_TYPES } from "./column.ts";
import { Growable } from "./growable.ts";
import { rowTypeError } from "./row-error.ts";
import { readFloat, readInteger } from "./scalar-input.ts";
import type { PrimitiveKind, Schema } from "./schema.ts";

/** Appends row values of one schema node; `finish` returns the column built so far. */
export interface ColumnBuilder {
  push(value: unknown, row: number): void;
  finish(): Column;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

class BitsBuilder {
  readonly #bytes = new Growable(Uint8Array);
  #length = 0;

  push(bit: boolean): void {
    const byte = this.#length >> 3;
    if (byte >= this.#bytes.length) this.#bytes.push(0);
    if (bit) this.#bytes.reserve(0)[byte] |= 1 << (this.#length & 7);
    this.#length++;
  }

  finish(): Bits {
    const all = this.#bytes.view();
    const full = (this.#length >> 6) * 8;
    const tail = new Uint8Array(8);
    tail.set(all.subarray(full, full + 8));
    const t = new Uint32Array(tail.buffer);
    return {
      length: this.#length,
      words: all.slice(0, full),
      lastWordLo: t[0],
      lastWordHi: t[1],
      lastBits: this.#length & 63,
    };
  }
}

/** The rank index of spec §4.6: one running popcount per completed 1024-bit block. */
function rankCounts(bits: Bits): BigUint64Array {
  const words32 = new Uint32Array(bits.words.buffer, bits.words.byteOffset, bits.words.byteLength / 4);
  const counts = new BigUint64Array(Math.floor(bits.length / 1024));
  let running = 0;
  for (let k = 0; k < counts.length; k++) {
    for (let i = 32 * k; i < 32 * (k + 1); i++) running += popcount32(words32[i]);
    counts[k] = BigInt(running);
  }
  return counts;
}

function primitiveBuilder(kind: PrimitiveKind, path: string): ColumnBuilder {
  const data = new Growable<InstanceType<(typeof PRIMITIVE_ARRAY_TYPES)[typeof kind]>>(
    PRIMITIVE_ARRAY_TYPES[kind],
  );
  const big = kind === "u64" || kind === "i64";
  return {
    push(value, row) {
      const at = { row, path };
      if (kind === "f32" || kind === "f64") data.push(readFloat(value, kind, at));
      else if (big) data.push(readInteger(value, kind, at));
      else data.push(Number(readInteger(value, kind, at)));
    },
    finish: () => ({ kind, length: data.length, data: data.view() }) as Column,
  };
}

function stringBuilder(path: string): ColumnBuilder {
  const bounds = new Growable(BigUint64Array);
  const bytes = new Growable(Uint8Array, 64);
  const encoder = new TextEncoder();
  return {
    push(value, row) {
      if (typeof value !== "string" || !value.isWellFormed()) {
        throw rowTypeError(row, path, "a well-formed string", value);
      }
      const target = bytes.reserve(value.length * 3);
      const { written } = encoder.encodeInto(value, target.subarray(bytes.length));
      bytes.length += written;
      bounds.push(BigInt(bytes.length));
    },
    finish: () => ({ kind: "string", length: bounds.length, bounds: bounds.view(), bytes: bytes.view() }),
  };
}

/** A builder for `schema`, whose values sit at `path` in each row. */
export function columnBuilder(schema: Schema, path = "$"): ColumnBuilder {
  switch (schema.kind) {
    case "bool": {
      const bits = new BitsBuilder();
      return {
        push(value, row) {
          if (typeof value !== "boolean") throw rowTypeError(row, path, "true or false", value);
          bits.push(value);
        },
        finish() {
          const b = bits.finish();
          return { kind: "bool", length: b.length, bits: b };
        },
      };
    }
    case "string":
      return stringBuilder(path);
    case "tuple": {
      const parts = schema.elements.map((e, k) => columnBuilder(e, `${path}.${k}`));
      let length = 0;
      return {
        push(value, row) {
          if (!Array.isArray(value) || value.length !== parts.length) {
            throw rowTypeError(row, path, `an array of ${parts.length} elements`, value);
          }
          parts.forEach((p, k) => p.push(value[k], row));
          length++;
        },
        finish: () => ({ kind: "tuple", length, elements: parts.map((p) => p.finish()) }),
      };
    }
    case "struct": {
      const parts = schema.fields.map((f) => columnBuilder(f.type, `${path}.${f.name}`));
      const names = schema.fields.map((f) => f.name);
      let length = 0;
      return {
        push(value, row) {
          const keys = isPlainObject(value) ? Object.keys(value) : [];
          if (
            !isPlainObject(value) ||
            keys.length !== names.length ||
            !names.every((n) => Object.hasOwn(value, n))
          ) {
            throw rowTypeError(row, path, `an object with exactly the keys ${names.join(", ")}`, value);
          }
          names.forEach((n, k) => parts[k].push(value[n], row));
          length++;
        },
        finish: () => ({ kind: "struct", length, elements: parts.map((p) => p.finish()) }),
      };
    }
    case "vec": {
      const items = columnBuilder(schema.item, `${path}[]`);
      const bounds = new Growable(BigUint64Array);
      let total = 0;
      return {
        push(value, row) {
          if (!Array.isArray(value)) throw rowTypeError(row, path, "an array", value);
          for (const item of value) items.push(item, row);
          total += value.length;
          bounds.push(BigInt(total));
        },
        finish: () => ({ kind: "vec", length: bounds.length, bounds: bounds.view(), items: items.finish() }),
      };
    }
    case "option": {
      const bits = new BitsBuilder();
      const some = columnBuilder(schema.some, `${path}.Some`);
      const isNested = schema.some.kind === "option";
      return {
        push(value, row) {
          if (value === null) return bits.push(false);
          if (isNested) {
            if (!isPlainObject(value) || Object.keys(value).length !== 1 || !Object.hasOwn(value, "Some")) {
              throw rowTypeError(row, path, 'null or {"Some": value}', value);
            }
            some.push(value.Some, row);
          } else {
            some.push(value, row);
          }
          bits.push(true);
        },
        finish() {
          const b = bits.finish();
          return { kind: "option", length: b.length, counts: rankCounts(b), bits: b, some: some.finish() };
        },
      };
    }
    case "result": {
      const bits = new BitsBuilder();
      const ok = columnBuilder(schema.ok, `${path}.Ok`);
      const err = columnBuilder(schema.err, `${path}.Err`);
      return {
        push(value, row) {
          const keys = isPlainObject(value) ? Object.keys(value) : [];
          if (!isPlainObject(value) || keys.length !== 1 || (keys[0] !== "Ok" && keys[0] !== "Err")) {
            throw rowTypeError(row, path, '{"Ok": value} or {"Err": value}', value);
          }
          if (keys[0] === "Ok") ok.push(value.Ok, row);
          else err.push(value.Err, row);
          bits.push(keys[0] === "Ok");
        },
        finish() {
          const b = bits.finish();
          return {
            kind: "result",
            length: b.length,
            counts: rankCounts(b),
            bits: b,
            ok: ok.finish(),
            err: err.finish(),
          };
        },
      };
    }
    default:
      return primitiveBuilder(schema.kind, path);
  }
}

/** Builds the column of `rows` (spec §8); throws `BatchError` `row-type` naming row and path. */
export function rowsToColumn(schema: Schema, rows: readonly unknown[]): Column {
  const builder = columnBuilder(schema);
  rows.forEach((row, i) => builder.push(row, i));
  return builder.finish();
}

/**
 * `error` (a `row-type` rejection of `value`, one line's row) with `hint("N rows")` appended when the
 * line looks like a JSON array of rows of `schema` (an array whose first element is itself such a
 * row): NDJSON and JSONL are one row per line, and such a line fails as a single row. Any other
 * error is returned as it is.
 */
export function withArrayOfRowsHint(
  error: unknown,
  schema: Schema,
  value: unknown,
  hint: (rows: string) => string,
): unknown {
  if (!(error instanceof BatchError) || error.rule !== "row-type") return error;
  if (!Array.isArray(value) || value.length === 0) return error;
  try {
    columnBuilder(schema).push(value[0], 0);
  } catch {
    return error;
  }
  const rows = value.length === 1 ? "1 row" : `${value.length} rows`;
  return new BatchError("row-type", `${error.message}${hint(rows)}`, error.location);
}
