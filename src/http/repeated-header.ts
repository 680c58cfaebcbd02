// A header sent twice reaches the app as one value joined with ", " (fetch's Headers, RFC 9110
// §5.3), so `Columnar-Schema: (String, i64)` twice reads as "(String, i64), (String, i64)" and
// fails at the comma with a message about the schema. These add what most likely happened.
import {
  BatchError,
  parseFormat,
  parseSchema,
  type Format,
  type Schema,
  SchemaError,
} from "../columnar/index.ts";

const REPEATED = '(a header sent twice arrives as one value joined with ", ": send it once)';

/** parseFormat for a header, naming a repetition when the value looks like one. */
export function parseFormatHeader(value: string | null | undefined, header = "Columnar-Format"): Format {
  try {
    return parseFormat(value);
  } catch (error) {
    if (error instanceof BatchError && value?.includes(",")) {
      throw new BatchError(
        error.rule,
        `${error.message} ${REPEATED.replace("a header", `the ${header} header`)}`,
        error.location,
      );
    }
    throw error;
  }
}

/**
 * parseSchema for the Columnar-Schema header, naming a repetition when the schema fails at a comma
 * after a whole schema (what joining two copies gives).
 */
export function parseSchemaHeader(text: string, options: { format: Format }): Schema {
  try {
    return parseSchema(text, options);
  } catch (error) {
    if (
      error instanceof SchemaError &&
      text[error.offset] === "," &&
      isSchema(text.slice(0, error.offset), options)
    ) {
      throw new SchemaError(
        error.rule,
        `${error.message} ${REPEATED.replace("a header", "the Columnar-Schema header")}`,
        error.offset,
      );
    }
    throw error;
  }
}

function isSchema(text: string, options: { format: Format }): boolean {
  try {
    parseSchema(text, options);
    return true;
  } catch {
    return false;
  }
}
