// Canonical printing (spec/columnar-format.md §3.3) and the two equalities of §3.2.
import type { Schema } from "./schema.ts";

const printed = new WeakMap<Schema, string>();

/** Prints a schema in canonical form: `(String, i64)`, `{text: String}`, `(u64,)`. */
export function formatSchema(schema: Schema): string {
  // once per schema object: every decode names its schema (for errors), and schemas are immutable
  let text = printed.get(schema);
  if (text === undefined) printed.set(schema, (text = printSchema(schema)));
  return text;
}

function printSchema(schema: Schema): string {
  switch (schema.kind) {
    case "string":
      return "String";
    case "tuple":
      return schema.elements.length === 1
        ? `(${formatSchema(schema.elements[0])},)`
        : `(${schema.elements.map(formatSchema).join(", ")})`;
    case "struct":
      return `{${schema.fields.map((f) => `${f.name}: ${formatSchema(f.type)}`).join(", ")}}`;
    case "vec":
      return `Vec<${formatSchema(schema.item)}>`;
    case "option":
      return `Option<${formatSchema(schema.some)}>`;
    case "result":
      return `Result<${formatSchema(schema.ok)}, ${formatSchema(schema.err)}>`;
    default:
      return schema.kind;
  }
}

/** Structural equality, field names included. */
export function schemaEquals(a: Schema, b: Schema): boolean {
  return formatSchema(a) === formatSchema(b);
}

/** Replaces structs by tuples of their field types and 1-tuples by their element (spec §3.2). */
export function layoutNormalForm(schema: Schema): Schema {
  switch (schema.kind) {
    case "tuple":
      return schema.elements.length === 1
        ? layoutNormalForm(schema.elements[0])
        : { kind: "tuple", elements: schema.elements.map(layoutNormalForm) };
    case "struct":
      return schema.fields.length === 1
        ? layoutNormalForm(schema.fields[0].type)
        : { kind: "tuple", elements: schema.fields.map((f) => layoutNormalForm(f.type)) };
    case "vec":
      return { kind: "vec", item: layoutNormalForm(schema.item) };
    case "option":
      return { kind: "option", some: layoutNormalForm(schema.some) };
    case "result":
      return { kind: "result", ok: layoutNormalForm(schema.ok), err: layoutNormalForm(schema.err) };
    default:
      return schema;
  }
}

/** True when the two schemas can decode each other's bodies by the rule of spec §3.2. */
export function isLayoutEquivalent(a: Schema, b: Schema): boolean {
  return schemaEquals(layoutNormalForm(a), layoutNormalForm(b));
}
