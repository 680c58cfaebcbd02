// The shape a reduce stage accepts and produces (spec/http-api.md §Reduce): `(K, i64)` or a
// two-field struct of that shape, K = String or an integer type; output `(K, i64)`.
import { layoutNormalForm, type Schema } from "../columnar/index.ts";

const KEY_KINDS = new Set(["string", "u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64"]);

/** The key type of a reduce input, or undefined when `schema` is not `(K, i64)`-shaped. */
export function reduceKeyType(schema: Schema): Schema | undefined {
  const normal = layoutNormalForm(schema);
  if (normal.kind !== "tuple" || normal.elements.length !== 2) return undefined;
  const [key, diff] = normal.elements;
  return KEY_KINDS.has(key.kind) && diff.kind === "i64" ? key : undefined;
}

/** Output schema of a reduce over keys of type `key`. */
export function reduceOutputSchema(key: Schema): Schema {
  return { kind: "tuple", elements: [key, { kind: "i64" }] };
}
