// The `Columnar-Format` header (spec §2.1): absent means 0.1; compared exactly after trimming.
import { BatchError } from "./batch-error.ts";
import { type Format, FORMATS } from "./schema.ts";

/** Reads a `Columnar-Format` value; `undefined`/`null` (header absent) is `0.1`. */
export function parseFormat(value: string | null | undefined): Format {
  if (value === null || value === undefined) return "0.1";
  const trimmed = value.replace(/^[ \t]+|[ \t]+$/g, "");
  const found = FORMATS.find((f) => f === trimmed);
  if (found === undefined) {
    throw new BatchError(
      "unsupported-format",
      `Cannot read Columnar-Format ${JSON.stringify(value)}: supported values are ${FORMATS.join(", ")}`,
    );
  }
  return found;
}
