// Streams JSONL or CSV input into batches of at most `batchRows` rows: lines are parsed as they
// arrive and pushed into a column builder, and a batch is handed out as soon as it is full, so
// memory holds one batch (plus one input chunk) whatever the input size (issue #7). A rejected
// JSONL row names its input line (and says when the line looks like a JSON array of rows).
import {
  BatchError,
  type Column,
  type ColumnBuilder,
  columnBuilder,
  parseJsonRow,
  type Schema,
} from "../columnar/index.ts";
import { CsvRecords } from "./csv-records.ts";
import { csvRow } from "./csv-row.ts";
import { withRowShapeHint } from "./row-shape-hint.ts";
import { atLine, splitLines } from "./split-lines.ts";

/** One batch of rows, with how far into the input it reaches. */
export interface RowBatch {
  readonly column: Column;
  /** Index of the batch's first row in the input. */
  readonly firstRow: number;
  /** Input bytes consumed so far (all batches), for progress. */
  readonly bytesRead: number;
}

/** Options of `readRowBatches`. */
export interface ReadRowBatchesOptions {
  readonly batchRows: number;
  /** `jsonl` (default) or `csv`. */
  readonly input?: "jsonl" | "csv";
  /** CSV only: the first record names the columns and is skipped. */
  readonly hasHeader?: boolean;
}

/** Yields batches of `schema` from `chunks`; the caller's pace pulls the input (backpressure). */
export async function* readRowBatches(
  chunks: AsyncIterable<Uint8Array>,
  schema: Schema,
  options: ReadRowBatchesOptions,
): AsyncGenerator<RowBatch> {
  let bytesRead = 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const chunk of chunks) {
      bytesRead += chunk.byteLength;
      yield chunk;
    }
  }
  let builder: ColumnBuilder = columnBuilder(schema);
  let inBatch = 0;
  let row = 0;
  const take = (value: unknown, hint: boolean): RowBatch | undefined => {
    try {
      builder.push(value, row);
    } catch (error) {
      throw hint ? withRowShapeHint(error, schema, value) : error;
    }
    row++;
    inBatch++;
    if (inBatch < options.batchRows) return undefined;
    const batch = { column: builder.finish(), firstRow: row - inBatch, bytesRead };
    builder = columnBuilder(schema);
    inBatch = 0;
    return batch;
  };

  if (options.input === "csv") {
    const decoder = new TextDecoder("utf-8", { fatal: true });
    const csv = new CsvRecords();
    let isHeaderPending = options.hasHeader === true;
    const decode = (chunk?: Uint8Array): string => {
      try {
        return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true });
      } catch (error) {
        if (!(error instanceof TypeError)) throw error;
        throw new BatchError("row-syntax", `row ${row}: the input is not valid UTF-8`, { row });
      }
    };
    const records = async function* (): AsyncGenerator<string[][]> {
      for await (const chunk of counted()) yield csv.push(decode(chunk));
      yield [...csv.push(decode()), ...csv.finish()];
    };
    for await (const done of records()) {
      for (const record of done) {
        if (isHeaderPending) {
          isHeaderPending = false;
          continue;
        }
        let batch: RowBatch | undefined;
        try {
          batch = take(csvRow(schema, record, row), false);
        } catch (error) {
          throw row === 0 && options.hasHeader !== true ? headerHint(error) : error;
        }
        if (batch !== undefined) yield batch;
      }
    }
  } else {
    let line = 0;
    for await (const lines of splitLines(counted())) {
      for (const text of lines) {
        line++;
        if (text.trim() === "") continue;
        let batch: RowBatch | undefined;
        try {
          batch = take(parseJsonRow(text, row), true);
        } catch (error) {
          throw atLine(error, line);
        }
        if (batch !== undefined) yield batch;
      }
    }
  }
  if (inBatch > 0 || row === 0) yield { column: builder.finish(), firstRow: row - inBatch, bytesRead };
}

/** A first CSV record that does not fit the schema is most often a header line: say so. */
function headerHint(error: unknown): unknown {
  if (!(error instanceof BatchError) || (error.rule !== "row-syntax" && error.rule !== "row-type"))
    return error;
  return new BatchError(
    error.rule,
    `${error.message} (is the first line a header? pass --header to skip it)`,
    error.location,
  );
}
