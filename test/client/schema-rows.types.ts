// Compile-time checks of RowOf / RowInput (src/client/schema-rows.ts): `tsc --noEmit` (CI's
// typecheck) fails when any line here stops holding. Nothing runs: each check is a type.
import { encodeBatch } from "../../src/client/encode-batch.ts";
import { rowsOf } from "../../src/client/rows-of.ts";
import type { RowInput, RowOf } from "../../src/client/schema-rows.ts";
import type { BatchView } from "../../src/columnar/index.ts";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Check<T extends true> = T;

export type Checks = [
  Check<Equal<RowOf<"(String, i64)">, [string, number | string]>>,
  Check<Equal<RowOf<" ( String ,i64 , ) ">, [string, number | string]>>,
  Check<Equal<RowOf<"u8">, number>>,
  Check<Equal<RowOf<"(u64,)">, [number | string]>>,
  Check<Equal<RowOf<"{text: String, diff: i64}">, { text: string; diff: number | string }>>,
  Check<Equal<RowOf<"{ u8 :String }">, { u8: string }>>,
  Check<Equal<RowOf<"Vec<Option<u8>>">, (number | null)[]>>,
  Check<Equal<RowOf<"Option<Option<bool>>">, { Some: boolean | null } | null>>,
  Check<Equal<RowOf<"Result<u64,Vec< Option<u8> >>">, { Ok: number | string } | { Err: (number | null)[] }>>,
  Check<
    Equal<
      RowOf<"(f32, f64)">,
      [number | "NaN" | "Infinity" | "-Infinity", number | "NaN" | "Infinity" | "-Infinity"]
    >
  >,
  Check<Equal<RowOf<"((String, i64), {a: (bool,)})">, [[string, number | string], { a: [boolean] }]>>,
  Check<Equal<RowInput<"(String, i64)">, readonly [string, number | string | bigint]>>,
  Check<Equal<RowInput<"Vec<i32>">, readonly (number | string | bigint)[]>>,
  // not a literal, or not a schema (§3.1 refuses these): unknown, never a false type
  Check<Equal<RowOf<string>, unknown>>,
  Check<Equal<RowOf<"(String)">, unknown>>,
  Check<Equal<RowOf<"()">, unknown>>,
  Check<Equal<RowOf<"{}">, unknown>>,
  Check<Equal<RowOf<"string">, unknown>>,
  Check<Equal<RowOf<"Vec<u8,>">, unknown>>,
  Check<Equal<RowOf<"(u8, i8) x">, unknown>>,
  Check<Equal<RowOf<"u 8">, unknown>>,
];

/** encodeBatch takes the rows of a literal schema, and refuses others, at compile time. */
export function typedInputs(): void {
  encodeBatch("(String, i64)", [
    ["a", 1],
    ["b", "9007199254740993"],
    ["c", 5n],
  ]);
  encodeBatch("{text: String, diff: i64}", [{ text: "a", diff: 1 }]);
  encodeBatch("Vec<Option<u8>>", [[1, null], []]);
  // @ts-expect-error a row of the wrong shape
  encodeBatch("(String, i64)", [[1, "a"]]);
  // @ts-expect-error a struct row lacking a field
  encodeBatch("{text: String, diff: i64}", [{ text: "a" }]);
  // @ts-expect-error a bigint is no f64
  encodeBatch("f64", [1n]);
  const text: string = "(String, i64)";
  encodeBatch(text, [[1, 2, 3]]); // not a literal: rows are not typed (the runtime checks them)
}

/** rowsOf is typed by the schema it is given (and checks it at run time). */
export function typedOutputs(batch: BatchView): void {
  const rows: [string, number | string][] = rowsOf(batch, "(String, i64)");
  const untyped: unknown[] = rowsOf(batch);
  // @ts-expect-error an i64 may be a decimal string: not a number[]
  const wrong: [string, number][] = rowsOf(batch, "(String, i64)");
  void [rows, untyped, wrong];
}
