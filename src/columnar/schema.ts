// The schema as data: a discriminated union mirroring spec/columnar-format.md §3-4.
// Parsed once at the edge (parseSchema), printed only with formatSchema.

/** Fixed-width numeric types; each is one `data` slice of its own element type. */
export type PrimitiveKind = "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64" | "f32" | "f64";

/** A schema type (spec/columnar-format.md §3.1). */
export type Schema =
  | { readonly kind: PrimitiveKind }
  | { readonly kind: "bool" }
  | { readonly kind: "string" }
  | { readonly kind: "tuple"; readonly elements: readonly Schema[] }
  | { readonly kind: "struct"; readonly fields: readonly StructField[] }
  | { readonly kind: "vec"; readonly item: Schema }
  | { readonly kind: "option"; readonly some: Schema }
  | { readonly kind: "result"; readonly ok: Schema; readonly err: Schema };

/** One named field of a struct, in declaration order. */
export interface StructField {
  readonly name: string;
  readonly type: Schema;
}

/** The two framings colwasm reads and writes (spec §2.1). */
export type Format = "0.1" | "0.12";

/** Supported `Columnar-Format` values, in the order error messages list them. */
export const FORMATS: readonly Format[] = ["0.1", "0.12"];

/** Byte size of each primitive's element. */
export const PRIMITIVE_BYTES: Readonly<Record<PrimitiveKind, 1 | 2 | 4 | 8>> = {
  u8: 1,
  i8: 1,
  u16: 2,
  i16: 2,
  u32: 4,
  i32: 4,
  f32: 4,
  u64: 8,
  i64: 8,
  f64: 8,
};

/** True when `kind` names a fixed-width numeric type. */
export function isPrimitiveKind(kind: string): kind is PrimitiveKind {
  return Object.hasOwn(PRIMITIVE_BYTES, kind);
}

/** Children of a composite schema, in slice order (the one place that knows the order). */
export function schemaChildren(schema: Schema): readonly Schema[] {
  switch (schema.kind) {
    case "tuple":
      return schema.elements;
    case "struct":
      return schema.fields.map((f) => f.type);
    case "vec":
      return [schema.item];
    case "option":
      return [schema.some];
    case "result":
      return [schema.ok, schema.err];
    default:
      return [];
  }
}
