// One CSV record as a row of the JSON mapping (spec/columnar-format.md §8), guided by the schema:
// the top-level tuple's (or struct's) fields are the CSV columns. Strings are taken as written,
// integers as decimal strings, an empty `Option` cell is null; any other type is written as JSON.
import { BatchError, formatSchema, type Schema } from "../columnar/index.ts";

/** The JSON value of `record` as one row of `schema`; `row` numbers errors. */
export function csvRow(schema: Schema, record: readonly string[], row: number): unknown {
  const columns =
    schema.kind === "tuple"
      ? schema.elements
      : schema.kind === "struct"
        ? schema.fields.map((f) => f.type)
        : [schema];
  if (record.length !== columns.length) {
    throw new BatchError(
      "row-type",
      `CSV record ${row + 1}: expected ${columns.length} fields for ${JSON.stringify(formatSchema(schema))}, found ${record.length}`,
      { row },
    );
  }
  const values = columns.map((type, k) => csvCell(type, record[k], row));
  if (schema.kind === "tuple") return values;
  if (schema.kind === "struct") return Object.fromEntries(schema.fields.map((f, k) => [f.name, values[k]]));
  return values[0];
}

function csvCell(schema: Schema, text: string, row: number): unknown {
  switch (schema.kind) {
    case "string":
      return text;
    case "u8":
    case "u16":
    case "u32":
    case "u64":
    case "i8":
    case "i16":
    case "i32":
    case "i64":
      return text.trim(); // a decimal string: the codec checks its range
    case "f32":
    case "f64": {
      // "NaN"/"Infinity" stay strings (the JSON mapping's spelling); text that is no number is left
      // as text so the codec rejects it with its own message.
      const trimmed = text.trim();
      const n = Number(trimmed);
      return trimmed === "" || Number.isNaN(n) || !Number.isFinite(n) ? trimmed : n;
    }
    case "bool":
      return text.trim() === "true" ? true : text.trim() === "false" ? false : text;
    case "option":
      return text === "" ? null : csvCell(schema.some, text, row);
    case "tuple":
    case "struct":
    case "vec":
    case "result":
      return parseJsonCell(text, row);
    default: {
      const never: never = schema;
      return never;
    }
  }
}

function parseJsonCell(text: string, row: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new BatchError("row-syntax", `CSV record ${row + 1}: a nested cell is not JSON: ${error.message}`, {
      row,
    });
  }
}
