// Schema rule of the blog ABI (spec/operator-abi.md §blog): the last field is a 64-bit integer
// column that `act` replaces, and the output schema equals the input schema.
import { formatSchema, isLayoutEquivalent, layoutNormalForm, type Schema } from "../columnar/index.ts";
import { InvalidOperatorError } from "./operator-error.ts";

function lastLeaf(schema: Schema): Schema {
  const normal = layoutNormalForm(schema);
  return normal.kind === "tuple" ? normal.elements[normal.elements.length - 1] : normal;
}

/** Throws unless `input` ends in an i64/u64 column and `output` has the same layout. */
export function checkBlogSchemas(operator: string, input: Schema, output: Schema): void {
  const last = lastLeaf(input);
  if (last.kind !== "i64" && last.kind !== "u64") {
    throw new InvalidOperatorError(
      `Cannot host blog operator "${operator}": its input ${formatSchema(input)} must end in an i64 or u64 column`,
      { operator, rule: "manifest" },
    );
  }
  if (!isLayoutEquivalent(input, output)) {
    throw new InvalidOperatorError(
      `Cannot host blog operator "${operator}": its output ${formatSchema(output)} must equal its input ${formatSchema(input)}`,
      { operator, rule: "manifest" },
    );
  }
}
