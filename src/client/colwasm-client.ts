// The typed client (fetch only: Node, Deno, browsers, Workers): runs chains and decodes results
// with their trace, manages operators and reads state. Retries only retryable failures (503, 429,
// 408, a gateway's 502/504, honouring Retry-After; a connection lost before or during the answer),
// and only where resending is safe: reads (GET), and runs that write no state or carry an
// Idempotency-Key, twice by default; a reduce run without a key only when asked (a key is then
// generated), so nothing is ever applied twice. Every method takes an AbortSignal; an aborted
// call rejects with the signal's reason, whether it was waiting for headers, a body or a retry.
import { type BatchView, decodeBatch, formatSchema, parseSchema } from "../columnar/index.ts";
import { ColwasmError } from "../error.ts";
import { ColwasmClientError, problemFromResponse } from "./client-error.ts";
import { ColwasmConnectionError } from "./connection-error.ts";
import { type EncodedBatch, encodeBatch } from "./encode-batch.ts";
import { abortableSleep, untilAborted } from "./abortable.ts";
import type {
  ClientOptions,
  OnRetry,
  ReadOptions,
  RequestOptions,
  RunOptions,
  RunResult,
  StateKey,
  StateRow,
} from "./client-options.ts";
import { type OperatorEntry, readOperatorEntry } from "./operator-entry.ts";
import { type RowBatchResult, runRows, type RunRowsOptions } from "./run-rows.ts";
import type { RowInput } from "./schema-rows.ts";
import { retryDelayMs } from "./retry-delay.ts";
import { parseServerTiming } from "./server-timing.ts";

/** Retries of the reads (GETs, safe to resend) unless the call says otherwise. */
const READ_RETRIES = 2;
/** Retries of a run that is safe to resend (see `run`). */
const RUN_RETRIES = 2;

/** True when `chain` has a `reduce:NAME` stage, so running it changes state. */
function writesState(chain: string): boolean {
  return chain.split(",").some((stage) => stage.trim().startsWith("reduce:"));
}

function keyQuery(key: StateKey | undefined): string {
  return key === undefined ? "" : `?key=${encodeURIComponent(String(key))}`;
}

function isKey(value: unknown): value is string | number {
  return typeof value === "string" || typeof value === "number";
}

/**
 * A client of one colwasm runtime.
 *
 * @example Word count through a local runtime
 * ```ts
 * import { ColwasmClient, encodeBatch } from "./index.ts";
 * import { columnToRows } from "../columnar/index.ts";
 * const client = new ColwasmClient("http://127.0.0.1:8787");
 * const batch = encodeBatch("(String, i64)", [["to be or not to be", 1]]);
 * const result = await client.run("split_words,reduce:wc", batch, { idempotencyKey: "doc-1" });
 * columnToRows(result.batch.schema, result.batch.column); // [["to", 2], ["be", 2], ["or", 1], ["not", 1]]
 * result.trace.stages[0].name; // "decode", then one entry per stage, then "encode"
 * ```
 */
export class ColwasmClient {
  readonly #url: string;
  readonly #token: string | undefined;
  readonly #fetch: typeof fetch;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(url: string, options: ClientOptions = {}) {
    this.#url = url.replace(/\/+$/, "");
    this.#token = options.token;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#sleep = options.sleep ?? abortableSleep;
  }

  /** The runtime's base URL. */
  get url(): string {
    return this.#url;
  }

  /** Sends one request; a non-2xx answer becomes its ColwasmClientError. */
  async #request(path: string, init: RequestInit, signal: AbortSignal | undefined): Promise<Response> {
    signal?.throwIfAborted();
    const headers = new Headers(init.headers);
    if (this.#token !== undefined && this.#token !== "")
      headers.set("authorization", `Bearer ${this.#token}`);
    let res: Response;
    try {
      res = await untilAborted(this.#fetch(`${this.#url}${path}`, { ...init, headers, signal }), signal);
    } catch (error) {
      throw this.#failure(error, signal, false);
    }
    if (res.ok) return res;
    throw await this.#readBody(res, signal, () => problemFromResponse(res));
  }

  /**
   * Reads an answer's body with `read`: the connection breaking there (a body cut short, a reset)
   * is a ColwasmConnectionError like a failure before the headers, and an abort is the signal's
   * reason. `read` must only read (parsing happens after), so every failure of it is the transport's.
   */
  async #readBody<T>(res: Response, signal: AbortSignal | undefined, read: () => Promise<T>): Promise<T> {
    try {
      return await untilAborted(read(), signal);
    } catch (error) {
      res.body?.cancel().catch(() => undefined);
      throw this.#failure(error, signal, true);
    }
  }

  /** A transport failure as the caller should see it: the abort reason, else a connection error. */
  #failure(error: unknown, signal: AbortSignal | undefined, duringBody: boolean): unknown {
    if (signal?.aborted) return signal.reason;
    return new ColwasmConnectionError(this.#url, error, { duringBody });
  }

  /** An answer's body as JSON (a body that is not JSON is an `internal` failure of the runtime). */
  async #json(path: string, init: RequestInit, signal: AbortSignal | undefined): Promise<unknown> {
    const res = await this.#request(path, init, signal);
    return this.#parseJson(path, await this.#readBody(res, signal, () => res.text()));
  }

  /** A columnar answer's body, decoded by its Columnar-Schema and Columnar-Format headers. */
  async #readBatch(res: Response, signal: AbortSignal | undefined): Promise<BatchView> {
    const body = new Uint8Array(await this.#readBody(res, signal, () => res.arrayBuffer()));
    const format = res.headers.get("columnar-format") === "0.12" ? "0.12" : "0.1";
    const schema = parseSchema(res.headers.get("columnar-schema") ?? "", { format });
    return decodeBatch(body, schema, { format });
  }

  /** `text` as JSON, else an `internal` ColwasmError naming the answer (not a bare SyntaxError). */
  #parseJson(path: string, text: string): unknown {
    try {
      return JSON.parse(text);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      throw new ColwasmError(
        "internal",
        `Cannot read the answer of ${this.#url}${path}: not JSON (${JSON.stringify(text.slice(0, 80))})`,
        { url: `${this.#url}${path}` },
        { cause: error },
      );
    }
  }

  /** Sleeps `ms` between retries, rejecting with the signal's reason as soon as it is aborted. */
  async #wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    await untilAborted(this.#sleep(ms, signal), signal);
  }

  /**
   * Runs `chain` (e.g. `split_words,reduce:wc`; `""` only validates) over `batch`, decoding the
   * answer. Retries as `options.retries` says (see RunOptions); `options.signal` cancels it.
   */
  async run(chain: string, batch: EncodedBatch, options: RunOptions = {}): Promise<RunResult> {
    const { signal } = options;
    const writes = writesState(chain);
    // Resending is safe when nothing is applied, or when a key makes the server apply it once. A
    // reduce without a key retries only when asked, under a generated key.
    const isSafe = !writes || options.idempotencyKey !== undefined;
    const retries = options.retries ?? (isSafe ? RUN_RETRIES : 0);
    const idempotencyKey =
      options.idempotencyKey ?? (writes && retries > 0 ? crypto.randomUUID() : undefined);
    return this.#retrying(retries, options, async (attempt) => {
      const res = await this.#request(
        `/v1/run?chain=${encodeURIComponent(chain)}`,
        {
          method: "POST",
          body: batch.bytes,
          headers: {
            "content-type": "application/x-columnar",
            "columnar-schema": formatSchema(batch.schema),
            "columnar-format": batch.format,
            ...(idempotencyKey === undefined ? {} : { "idempotency-key": idempotencyKey }),
          },
        },
        signal,
      );
      const output = await this.#readBatch(res, signal);
      const stages = parseServerTiming(res.headers.get("server-timing"));
      const copiedBytes = Number(res.headers.get("colwasm-copied-bytes") ?? 0);
      return {
        batch: output,
        trace: { stages, copiedBytes },
        timings: stages,
        copiedBytes,
        idempotencyKey,
        attempts: attempt + 1,
      };
    });
  }

  /**
   * Runs `chain` over `rows` (an array, a generator, an async iterable such as a stream of parsed
   * lines), `options.batchRows` rows per request (default 65 536), yielding each batch's answer
   * before the next batch is read; under `options.idempotencyKey` K, batch i goes as `K-i` (see
   * run-rows.ts). Rows are typed by a literal `schema`.
   */
  runRows<const S extends string>(
    chain: string,
    schema: S,
    rows: Iterable<RowInput<S>> | AsyncIterable<RowInput<S>>,
    options: RunRowsOptions = {},
  ): AsyncGenerator<RowBatchResult> {
    return runRows(this, chain, schema, rows, options);
  }

  /**
   * `work(attempt)`, sent again after a retryable failure (see `isRetryable`) up to `retries`
   * times, waiting Retry-After or backoff; an abort ends it with the signal's reason.
   */
  async #retrying<T>(
    retries: number,
    options: { signal?: AbortSignal; onRetry?: OnRetry },
    work: (attempt: number) => Promise<T>,
  ): Promise<T> {
    const { signal } = options;
    for (let attempt = 0; ; attempt++) {
      try {
        return await work(attempt);
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        const canRetry =
          (error instanceof ColwasmClientError || error instanceof ColwasmConnectionError) &&
          error.isRetryable;
        if (!canRetry || attempt >= retries) throw error;
        const retryAfterMs = error instanceof ColwasmClientError ? error.retryAfterMs : undefined;
        const delayMs = retryDelayMs(attempt, { retryAfterMs });
        options.onRetry?.({ attempt: attempt + 1, delayMs, error });
        await this.#wait(delayMs, signal);
      }
    }
  }

  /** A GET answered with JSON, retried as `options.retries` says (default READ_RETRIES). */
  #read(path: string, options: ReadOptions): Promise<unknown> {
    return this.#retrying(options.retries ?? READ_RETRIES, options, () =>
      this.#json(path, {}, options.signal),
    );
  }

  /**
   * `GET /v1/operators`: built-in and uploaded operators. `options.signal` cancels it; retried as
   * `options.retries` says (default 2).
   */
  async operators(options: ReadOptions = {}): Promise<OperatorEntry[]> {
    const body = await this.#read("/v1/operators", options);
    const list = typeof body === "object" && body !== null && "operators" in body ? body.operators : body;
    return Array.isArray(list) ? list.map(readOperatorEntry) : [];
  }

  /** `GET /v1/operators/NAME`. `options.signal` cancels it; retried as `options.retries` says (default 2). */
  async operator(name: string, options: ReadOptions = {}): Promise<OperatorEntry> {
    return readOperatorEntry(await this.#read(`/v1/operators/${encodeURIComponent(name)}`, options));
  }

  /**
   * `PUT /v1/operators/NAME` (admin token): manifest from the module's section, or these headers.
   * `options.signal` cancels it (an upload already received may still be stored).
   */
  async pushOperator(
    name: string,
    wasm: Uint8Array<ArrayBuffer>,
    manifest: { abi?: string; input?: string; output?: string } = {},
    options: RequestOptions = {},
  ): Promise<OperatorEntry> {
    const headers: Record<string, string> = { "content-type": "application/wasm" };
    if (manifest.abi) headers["operator-abi"] = manifest.abi;
    if (manifest.input) headers["operator-input"] = manifest.input;
    if (manifest.output) headers["operator-output"] = manifest.output;
    const path = `/v1/operators/${encodeURIComponent(name)}`;
    return readOperatorEntry(await this.#json(path, { method: "PUT", body: wasm, headers }, options.signal));
  }

  /** `DELETE /v1/operators/NAME` (admin token). `options.signal` cancels it. */
  async deleteOperator(name: string, options: RequestOptions = {}): Promise<void> {
    await this.#delete(`/v1/operators/${encodeURIComponent(name)}`, options.signal);
  }

  /**
   * `GET /v1/state/NAME[?key=K]` as rows `[key, total]` (404 `unknown-state` when absent). `key` is
   * the key as the namespace holds it: a string, or an integer (number, bigint or decimal string).
   * `options.signal` cancels it; retried as `options.retries` says (default 2).
   */
  async state(name: string, key?: StateKey, options: ReadOptions = {}): Promise<StateRow[]> {
    const { signal } = options;
    const path = `/v1/state/${encodeURIComponent(name)}${keyQuery(key)}`;
    const text = await this.#retrying(options.retries ?? READ_RETRIES, options, async () => {
      const res = await this.#request(path, { headers: { accept: "application/x-ndjson" } }, signal);
      return this.#readBody(res, signal, () => res.text());
    });
    const rows: StateRow[] = [];
    for (const line of text.split("\n")) {
      if (line === "") continue;
      const row = this.#parseJson(path, line);
      if (Array.isArray(row) && row.length === 2 && isKey(row[0]) && isKey(row[1]))
        rows.push([row[0], row[1]]);
    }
    return rows;
  }

  /**
   * `GET /v1/state/NAME[?key=K]` as a batch (`Accept: application/x-columnar`): `(K, i64)` columns
   * instead of JSON rows, for namespaces too large to read as rows. `options.signal` cancels it;
   * retried as `options.retries` says (default 2).
   */
  async stateBatch(name: string, key?: StateKey, options: ReadOptions = {}): Promise<BatchView> {
    const { signal } = options;
    const path = `/v1/state/${encodeURIComponent(name)}${keyQuery(key)}`;
    return this.#retrying(options.retries ?? READ_RETRIES, options, async () => {
      const res = await this.#request(path, { headers: { accept: "application/x-columnar" } }, signal);
      return this.#readBatch(res, signal);
    });
  }

  /** `DELETE /v1/state/NAME` (admin token): drops the namespace. `options.signal` cancels it. */
  async deleteState(name: string, options: RequestOptions = {}): Promise<void> {
    await this.#delete(`/v1/state/${encodeURIComponent(name)}`, options.signal);
  }

  /** A DELETE: its 2xx status is the answer; the body is not needed (and a body cut short is no failure). */
  async #delete(path: string, signal: AbortSignal | undefined): Promise<void> {
    const res = await this.#request(path, { method: "DELETE" }, signal);
    await res.body?.cancel().catch(() => undefined);
  }
}

/** Rows to a batch of format 0.1 (the first client's name for `encodeBatch`). */
export function encodeRows(schemaText: string, rows: readonly unknown[]): EncodedBatch {
  return encodeBatch(schemaText, rows);
}
