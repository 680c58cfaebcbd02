// Public surface of the typed client (`colwasm/client`): fetch-only, usable from Node, Deno,
// browsers and Workers. The CLI (cli.ts, commands/) is built on it and is not part of it.
export { ColwasmClientError } from "./client-error.ts";
export type {
  ClientOptions,
  OnRetry,
  ReadOptions,
  RequestOptions,
  RunOptions,
  RunResult,
  RunTrace,
  StateKey,
  StateRow,
} from "./client-options.ts";
export { ColwasmClient, encodeRows } from "./colwasm-client.ts";
export { ColwasmConnectionError } from "./connection-error.ts";
export { type BatchInput, type EncodedBatch, encodeBatch } from "./encode-batch.ts";
export { rowsOf } from "./rows-of.ts";
export { DEFAULT_RUN_ROWS, type RowBatchResult, type RunRowsOptions } from "./run-rows.ts";
export type { RowInput, RowOf } from "./schema-rows.ts";
export type { OperatorEntry } from "./operator-entry.ts";
export { MAX_RETRY_DELAY_MS, parseRetryAfter, retryDelayMs } from "./retry-delay.ts";
export { parseServerTiming, type StageTiming } from "./server-timing.ts";
