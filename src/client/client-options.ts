// The typed client's options and answers (colwasm-client.ts): what a call takes (signal, retries,
// Idempotency-Key) and what it gives back (a run's batch and trace, state rows).
import type { BatchView } from "../columnar/index.ts";
import type { ColwasmClientError } from "./client-error.ts";
import type { ColwasmConnectionError } from "./connection-error.ts";
import type { StageTiming } from "./server-timing.ts";

/** What the runtime reported about one run: `Server-Timing` stages and `Colwasm-Copied-Bytes`. */
export interface RunTrace {
  /** decode, one entry per stage, encode (spec/http-api.md §Running a chain). */
  readonly stages: readonly StageTiming[];
  /** Bytes memcpy'd between stages (the sum of the hop inputs). */
  readonly copiedBytes: number;
}

/** A chain's answer: the decoded output batch (columns as typed-array views) and its trace. */
export interface RunResult {
  /** The output batch: `batch.schema`, `batch.length`, `batch.column` (zero-copy views). */
  readonly batch: BatchView;
  readonly trace: RunTrace;
  /** Same as `trace.stages` (kept for callers of the first client). */
  readonly timings: readonly StageTiming[];
  /** Same as `trace.copiedBytes`. */
  readonly copiedBytes: number;
  /** The Idempotency-Key sent (given, or generated for a reduce run because retries were asked for). */
  readonly idempotencyKey: string | undefined;
  /** Requests made: 1 plus the retries. */
  readonly attempts: number;
}

/** Options every method takes. */
export interface RequestOptions {
  /**
   * Cancels the call: once aborted (`AbortController.abort()`, `AbortSignal.timeout(ms)`), the
   * call rejects with `signal.reason` (an `AbortError` or `TimeoutError` DOMException unless the
   * caller chose another reason), whether it was connecting, reading the answer's body or waiting
   * to retry. An abort is never reported as a ColwasmConnectionError and never retried.
   */
  readonly signal?: AbortSignal;
}

/** Called before each retry with the wait chosen (Retry-After, else backoff) and the failure. */
export type OnRetry = (info: {
  attempt: number;
  delayMs: number;
  error: ColwasmClientError | ColwasmConnectionError;
}) => void;

/** Options of the reads (`operators`, `operator`, `state`, `stateBatch`): GETs, safe to resend. */
export interface ReadOptions extends RequestOptions {
  /**
   * Retries of retryable failures; default 2 (0 turns them off). Retryable: a 503, 429, 408, 502
   * or 504 answer (after its `Retry-After`, else backoff) and a ColwasmConnectionError whose
   * `isRetryable` is true, e.g. a kept-alive connection the runtime closed while the request was
   * on its way (Node's fetch reports `other side closed` / `ECONNRESET`).
   */
  readonly retries?: number;
  /** Called before each retry with the wait chosen and the failure. */
  readonly onRetry?: OnRetry;
}

/** Options of `run`. */
export interface RunOptions extends RequestOptions {
  /** Sent as `Idempotency-Key`; with `retries`, one is generated for a reduce run when absent. */
  readonly idempotencyKey?: string;
  /**
   * Retries of retryable failures: a 503, 429, 408, 502 or 504 answer (after its `Retry-After`,
   * else backoff), and a ColwasmConnectionError whose `isRetryable` is true (the connection failed
   * before the answer, or broke while its body was read: the request may have been applied).
   * Default 2 where resending is safe: a chain without a `reduce:` stage (it changes nothing), or a
   * run with an `idempotencyKey` (the server applies it once). A reduce run without a key defaults
   * to 0; given `retries`, it is sent under a generated key. 0 turns retries off.
   */
  readonly retries?: number;
  /** Called before each retry with the wait chosen (Retry-After, else backoff) and the failure. */
  readonly onRetry?: OnRetry;
}

/** Options of the client. */
export interface ClientOptions {
  /** Bearer token: the admin token for uploads and state deletes, the run token for runs and reads. */
  readonly token?: string;
  /** A fetch to use instead of the global one (a Worker's service binding, a test's wrapper). */
  readonly fetch?: typeof fetch;
  /**
   * How to wait between retries (tests pass a fake clock); default setTimeout. The call's signal
   * is passed along; a sleep that ignores it is still cut short by an abort.
   */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * A row `[key, total]` of a reduce namespace, in the JSON mapping of spec/columnar-format.md §8: a
 * String key is a string; an integer key, like the i64 total, is a number, or a decimal string
 * beyond 2^53-1.
 */
export type StateRow = readonly [key: string | number, total: number | string];

/** A key of a reduce namespace, as `state` takes it: a String key, or an integer one. */
export type StateKey = string | number | bigint;
