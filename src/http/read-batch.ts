// Request body -> validated batch (spec/http-api.md §Batches on the wire): a columnar body is
// decoded in place; NDJSON rows are built into one format-0.1 body, then decoded like any other.
import {
  type BatchView,
  BatchError,
  type Format,
  decodeBatch,
  encodeBatch,
  parseJsonLines,
  withArrayOfRowsHint,
  rowsToColumn,
  type Schema,
  type ValidationKernels,
} from "../columnar/index.ts";
import { parseFormatHeader, parseSchemaHeader } from "./repeated-header.ts";

/** Media types of a batch body. */
export const COLUMNAR_MEDIA_TYPE = "application/x-columnar";
export const NDJSON_MEDIA_TYPE = "application/x-ndjson";

/** What the request says about its body. */
export interface BatchHeaders {
  readonly mediaType: string;
  readonly schema?: string;
  readonly format?: string;
  /** Validation kernels covering `body` (when it was read into a WASM arena). */
  readonly kernels?: ValidationKernels;
}

/** The decoded batch and the request's Columnar-Format (the response uses the same). */
export interface RequestBatch {
  /** Its `format` is that of the decoded bytes: `0.1` for NDJSON whatever Columnar-Format says. */
  readonly batch: BatchView;
  readonly format: Format;
}

/**
 * Parses the headers and decodes `body`, checking in the order of spec/columnar-format.md §6:
 * format, then schema (its slice limit counted in that format, §3.1), then the body. Throws
 * `BatchError` (unsupported-format, schema-missing, every body rule) or `SchemaError`.
 */
export function readBatch(body: Uint8Array, headers: BatchHeaders): RequestBatch {
  const format = parseFormatHeader(headers.format);
  const schema = readSchema(headers.schema, format);
  if (headers.mediaType !== NDJSON_MEDIA_TYPE)
    return { batch: decodeBatch(body, schema, { format, kernels: headers.kernels }), format };
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(body);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new BatchError("invalid-utf8", "Cannot read the NDJSON body: it is not valid UTF-8");
  }
  const rows = parseJsonLines(text);
  let column;
  try {
    column = rowsToColumn(schema, rows);
  } catch (error) {
    // a body that is one JSON array of rows fails as a single row: the rejection says what it is
    throw rows.length !== 1
      ? error
      : withArrayOfRowsHint(
          error,
          schema,
          rows[0],
          (count) => `; the body looks like one JSON array of ${count}, but NDJSON is one row per line`,
        );
  }
  return { batch: decodeBatch(encodeBatch(column), schema), format };
}

/**
 * The `Columnar-Schema` header parsed for `format` (parse the format first: spec §6 order); throws
 * `BatchError` schema-missing when absent, or `SchemaError`.
 */
function readSchema(text: string | undefined, format: Format): Schema {
  if (text === undefined) {
    throw new BatchError("schema-missing", "Cannot decode the body: the Columnar-Schema header is missing");
  }
  return parseSchemaHeader(text, { format });
}
