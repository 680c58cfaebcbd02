// The one definition of which slices a schema is made of (spec/columnar-format.md §4, §4.8).
// Decode, encode, validation and the operator-output walk all consume this list.
import { type Format, PRIMITIVE_BYTES, type Schema } from "./schema.ts";

/** Role of a slice within its type (spec §4.8). */
export type SliceRole = "data" | "bounds" | "bytes" | "words" | "last_word" | "last_bits" | "tail" | "counts";

/** One slice of a schema's layout. */
export interface SliceSpec {
  /** `path#role`, e.g. `$.0#bounds`. */
  readonly name: string;
  readonly role: SliceRole;
  /** Element size in bytes: the slice's byte length must be a multiple of it. */
  readonly elementBytes: 1 | 2 | 4 | 8;
  /** When set, the slice must be exactly this many bytes (bool tails). */
  readonly fixedBytes?: number;
}

function pushBool(out: SliceSpec[], path: string, format: Format): void {
  out.push({ name: `${path}#words`, role: "words", elementBytes: 8 });
  if (format === "0.1") {
    out.push({ name: `${path}#last_word`, role: "last_word", elementBytes: 8, fixedBytes: 8 });
    out.push({ name: `${path}#last_bits`, role: "last_bits", elementBytes: 1, fixedBytes: 1 });
  } else {
    out.push({ name: `${path}#tail`, role: "tail", elementBytes: 8, fixedBytes: 16 });
  }
}

function pushSlices(out: SliceSpec[], schema: Schema, path: string, format: Format): void {
  switch (schema.kind) {
    case "bool":
      pushBool(out, path, format);
      return;
    case "string":
      out.push({ name: `${path}#bounds`, role: "bounds", elementBytes: 8 });
      out.push({ name: `${path}#bytes`, role: "bytes", elementBytes: 1 });
      return;
    case "tuple":
      schema.elements.forEach((e, k) => pushSlices(out, e, `${path}.${k}`, format));
      return;
    case "struct":
      for (const f of schema.fields) pushSlices(out, f.type, `${path}.${f.name}`, format);
      return;
    case "vec":
      out.push({ name: `${path}#bounds`, role: "bounds", elementBytes: 8 });
      pushSlices(out, schema.item, `${path}[]`, format);
      return;
    case "option":
      out.push({ name: `${path}#counts`, role: "counts", elementBytes: 8 });
      pushBool(out, path, format);
      pushSlices(out, schema.some, `${path}.Some`, format);
      return;
    case "result":
      out.push({ name: `${path}#counts`, role: "counts", elementBytes: 8 });
      pushBool(out, path, format);
      pushSlices(out, schema.ok, `${path}.Ok`, format);
      pushSlices(out, schema.err, `${path}.Err`, format);
      return;
    default:
      out.push({ name: `${path}#data`, role: "data", elementBytes: PRIMITIVE_BYTES[schema.kind] });
  }
}

/** The ordered slices of `schema` in `format`. */
export function sliceLayout(schema: Schema, format: Format): readonly SliceSpec[] {
  // computed once per schema object: every decode of a batch needs it, and schemas are immutable
  let byFormat = layouts.get(schema);
  if (byFormat === undefined) layouts.set(schema, (byFormat = {}));
  let layout = byFormat[format];
  if (layout === undefined) {
    const out: SliceSpec[] = [];
    pushSlices(out, schema, "$", format);
    byFormat[format] = layout = out;
  }
  return layout;
}

const layouts = new WeakMap<Schema, Partial<Record<Format, readonly SliceSpec[]>>>();

/** Number of slices S(T) of spec §4.9. */
export function countSlices(schema: Schema, format: Format): number {
  return sliceLayout(schema, format).length;
}
