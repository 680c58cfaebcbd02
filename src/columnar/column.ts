// Decoded columns: a tree mirroring the schema whose leaves are typed-array views (spec §10).
// No per-record objects; strings stay as bytes + bounds until a row is materialized.
import type { PrimitiveKind } from "./schema.ts";

/** Element arrays of each primitive (spec §10 mapping). */
export interface PrimitiveArrays {
  u8: Uint8Array;
  u16: Uint16Array;
  u32: Uint32Array;
  u64: BigUint64Array;
  i8: Int8Array;
  i16: Int16Array;
  i32: Int32Array;
  i64: BigInt64Array;
  f32: Float32Array;
  f64: Float64Array;
}

/** The typed-array constructor of each primitive (spec §10 mapping). */
export const PRIMITIVE_ARRAY_TYPES = {
  u8: Uint8Array,
  u16: Uint16Array,
  u32: Uint32Array,
  u64: BigUint64Array,
  i8: Int8Array,
  i16: Int16Array,
  i32: Int32Array,
  i64: BigInt64Array,
  f32: Float32Array,
  f64: Float64Array,
} as const;

/** Any primitive data array. */
export type PrimitiveArray = PrimitiveArrays[PrimitiveKind];

/** A primitive column: the `data` slice viewed as its element type. */
export type PrimitiveColumn = {
  [K in PrimitiveKind]: { readonly kind: K; readonly length: number; readonly data: PrimitiveArrays[K] };
}[PrimitiveKind];

/**
 * A bit column (spec §4.5): the complete words as bytes, then the partial word, already masked to
 * its `lastBits` valid bits so unused bits can never change a value.
 */
export interface Bits {
  readonly length: number;
  /** Bytes of every complete 64-bit word (LSB-first bitmap). */
  readonly words: Uint8Array;
  readonly lastWordLo: number;
  readonly lastWordHi: number;
  readonly lastBits: number;
}

/** A decoded column of any schema type. */
export type Column =
  | PrimitiveColumn
  | { readonly kind: "bool"; readonly length: number; readonly bits: Bits }
  | {
      readonly kind: "string";
      readonly length: number;
      readonly bounds: BigUint64Array;
      readonly bytes: Uint8Array;
    }
  | { readonly kind: "tuple" | "struct"; readonly length: number; readonly elements: readonly Column[] }
  | { readonly kind: "vec"; readonly length: number; readonly bounds: BigUint64Array; readonly items: Column }
  | {
      readonly kind: "option";
      readonly length: number;
      readonly counts: BigUint64Array;
      readonly bits: Bits;
      readonly some: Column;
    }
  | {
      readonly kind: "result";
      readonly length: number;
      readonly counts: BigUint64Array;
      readonly bits: Bits;
      readonly ok: Column;
      readonly err: Column;
    };

/** Column of a given kind. */
export type ColumnOf<K extends Column["kind"]> = Extract<Column, { kind: K }>;

/** Bit i of a bit column (spec §4.5). */
export function bitAt(bits: Bits, i: number): boolean {
  const full = bits.words.length * 8;
  if (i < full) return ((bits.words[i >> 3] >> (i & 7)) & 1) === 1;
  const j = i - full;
  return ((j < 32 ? bits.lastWordLo >>> j : bits.lastWordHi >>> (j - 32)) & 1) === 1;
}
