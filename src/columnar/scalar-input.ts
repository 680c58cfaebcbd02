// Reading one scalar from a JSON row value (spec §8): integer ranges, decimal strings, floats.
import { rowTypeError } from "./row-error.ts";
import type { PrimitiveKind } from "./schema.ts";

const DECIMAL = /^-?(0|[1-9][0-9]*)$/;

/** The value range of each integer type, as [min, max]. */
export const INTEGER_RANGES: Readonly<
  Record<Exclude<PrimitiveKind, "f32" | "f64">, readonly [bigint, bigint]>
> = {
  u8: [0n, 255n],
  u16: [0n, 65535n],
  u32: [0n, 4294967295n],
  u64: [0n, 18446744073709551615n],
  i8: [-128n, 127n],
  i16: [-32768n, 32767n],
  i32: [-2147483648n, 2147483647n],
  i64: [-9223372036854775808n, 9223372036854775807n],
};

/** Where a value sits, for error messages. */
export interface ValueAt {
  readonly row: number;
  readonly path: string;
}

/** An integer of `kind`, as a bigint (the caller narrows small kinds to numbers). */
export function readInteger(value: unknown, kind: keyof typeof INTEGER_RANGES, at: ValueAt): bigint {
  const expected = `integer in ${kind} range`;
  let n: bigint;
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw rowTypeError(at.row, at.path, expected, value);
    if (!Number.isSafeInteger(value)) {
      throw rowTypeError(
        at.row,
        at.path,
        expected,
        value,
        " (integers beyond 2^53-1 must be written as decimal strings)",
      );
    }
    n = BigInt(value);
  } else if (typeof value === "string" && DECIMAL.test(value)) {
    n = BigInt(value);
  } else {
    throw rowTypeError(at.row, at.path, expected, value);
  }
  const [min, max] = INTEGER_RANGES[kind];
  if (n < min || n > max) throw rowTypeError(at.row, at.path, expected, value);
  return n;
}

const NON_FINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity };

/** A float of `kind`: any number, or "NaN" / "Infinity" / "-Infinity"; f32 rounds to nearest. */
export function readFloat(value: unknown, kind: "f32" | "f64", at: ValueAt): number {
  let n: number;
  if (typeof value === "number") n = value;
  else if (typeof value === "string" && Object.hasOwn(NON_FINITE, value)) n = NON_FINITE[value];
  else throw rowTypeError(at.row, at.path, `${kind} number or "NaN"/"Infinity"/"-Infinity"`, value);
  if (kind === "f64") return n;
  const rounded = Math.fround(n);
  if (Number.isFinite(n) && !Number.isFinite(rounded)) {
    throw rowTypeError(at.row, at.path, "a finite number within f32 range", value);
  }
  return rounded;
}
