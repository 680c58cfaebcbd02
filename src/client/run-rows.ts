// Runs a chain over rows of any length, one batch of `batchRows` rows per request, as `colwasm run`
// does with a file: rows are pulled from an iterable (sync or async) only as fast as the answers
// come back, so memory holds one batch whatever the input size. Under an Idempotency-Key K, batch
// i is sent as `K-i`, so the whole input can be sent again after a failure and every batch already
// applied is answered from the ledger instead of being reduced twice.
import { columnBuilder, type ColumnBuilder, type Format, parseSchema } from "../columnar/index.ts";
import type { RunOptions, RunResult } from "./client-options.ts";
import type { ColwasmClient } from "./colwasm-client.ts";
import { encodeBatch } from "./encode-batch.ts";

/** Rows per request when not given: the CLI's `--batch-rows` default too (spec/cli.md). */
export const DEFAULT_RUN_ROWS = 65_536;

/** Options of `runRows`: those of `run`, plus how rows are cut into batches. */
export interface RunRowsOptions extends RunOptions {
  /** Rows per request (default 65 536). */
  readonly batchRows?: number;
  /** `Columnar-Format` of the batches sent (default 0.1). */
  readonly format?: Format;
}

/** The answer to one batch of `runRows`. */
export interface RowBatchResult extends RunResult {
  /** The batch's place in the input: 0, 1, … */
  readonly index: number;
  /** Index of the batch's first row in the input. */
  readonly firstRow: number;
  /** Rows the batch held. */
  readonly rows: number;
}

/**
 * Sends `rows` through `chain` in batches of `options.batchRows`, yielding each batch's answer
 * before the next batch is read. A row that does not fit `schema` rejects with its BatchError
 * (`row N at $…`, N counted from the first row of the input); the batches before it were sent.
 * An empty input sends nothing.
 */
export async function* runRows(
  client: ColwasmClient,
  chain: string,
  schema: string,
  rows: Iterable<unknown> | AsyncIterable<unknown>,
  options: RunRowsOptions = {},
): AsyncGenerator<RowBatchResult> {
  const { batchRows = DEFAULT_RUN_ROWS, format = "0.1", idempotencyKey, ...runOptions } = options;
  if (!Number.isSafeInteger(batchRows) || batchRows < 1) {
    throw new RangeError(`Cannot run rows: batchRows must be an integer >= 1, found ${batchRows}`);
  }
  const parsed = parseSchema(schema, { format });
  let builder: ColumnBuilder = columnBuilder(parsed);
  let inBatch = 0;
  let row = 0;
  let index = 0;
  const send = async (): Promise<RowBatchResult> => {
    const column = builder.finish();
    builder = columnBuilder(parsed);
    const batch = encodeBatch(parsed, column, { format });
    const result = await client.run(chain, batch, {
      ...runOptions,
      ...(idempotencyKey === undefined ? {} : { idempotencyKey: `${idempotencyKey}-${index}` }),
    });
    const answer = { ...result, index, firstRow: row - inBatch, rows: inBatch };
    index++;
    inBatch = 0;
    return answer;
  };
  for await (const value of rows) {
    builder.push(value, row);
    row++;
    inBatch++;
    if (inBatch === batchRows) yield await send();
  }
  if (inBatch > 0) yield await send();
}
