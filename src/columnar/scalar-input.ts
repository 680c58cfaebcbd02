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

/**
 * An integer of `kind`, as a bigint (the caller narrows small kinds to numbers). Every refusal
 * says what would be taken: spec §8 asks that it suggest the decimal string form.
 */
export function readInteger(value: unknown, kind: keyof typeof INTEGER_RANGES, at: ValueAt): bigint {
  const expected = `integer in ${kind} range`;
  const [min, max] = INTEGER_RANGES[kind];
  const refuse = (hint: string) => rowTypeError(at.row, at.path, expected, value, ` (${hint})`);
  let n: bigint;
  if (typeof value === "number") {
    if (!Number.isInteger(value)) {
      throw refuse(
        `write a whole number, as a JSON integer or a decimal string such as "${min < 0n ? "-" : ""}12"`,
      );
    }
    if (!Number.isSafeInteger(value))
      throw refuse("integers beyond 2^53-1 must be written as decimal strings");
    n = BigInt(value);
  } else if (typeof value === "bigint") {
    // not JSON (it has no bigint), but what a JS caller holds a u64/i64 in: taken as is, range-checked
    n = value;
  } else if (typeof value === "string" && DECIMAL.test(value)) {
    n = BigInt(value);
  } else if (typeof value === "string") {
    throw refuse(
      `a decimal string is digits with an optional leading "-": no "+", leading zeros, blanks or exponent`,
    );
  } else {
    throw refuse(`write a JSON integer, or a decimal string such as "12"`);
  }
  if (n < min || n > max) {
    const wide = kind === "u64" || kind === "i64";
    throw refuse(
      `${kind} holds ${min} to ${max}, ${wide ? "written as decimal strings beyond 2^53-1" : "as a JSON integer or a decimal string"}`,
    );
  }
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
