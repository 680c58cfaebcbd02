// The typed client (fetch only: Node, Deno, browsers, Workers): runs chains and decodes results
// with their trace, manages operators and reads state. Retries only retryable answers (503,
// honouring Retry-After) and only under an Idempotency-Key, so nothing is ever applied twice.
import { type BatchView, decodeBatch, formatSchema, parseSchema } from "../columnar/index.ts";
import { ColwasmClientError, problemFromResponse } from "./client-error.ts";
import { ColwasmConnectionError } from "./connection-error.ts";
import { type EncodedBatch, encodeBatch } from "./encode-batch.ts";
import { type OperatorEntry, readOperatorEntry } from "./operator-entry.ts";
import { retryDelayMs } from "./retry-delay.ts";
import { parseServerTiming, type StageTiming } from "./server-timing.ts";

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
  /** The Idempotency-Key sent (given, or generated because retries were asked for). */
  readonly idempotencyKey: string | undefined;
  /** Requests made: 1 plus the retries. */
  readonly attempts: number;
}

/** Options of `run`. */
export interface RunOptions {
  /** Sent as `Idempotency-Key`; with `retries`, one is generated when absent. */
  readonly idempotencyKey?: string;
  /** Retries of retryable (503) answers; default 0. Needs an Idempotency-Key (generated if absent). */
  readonly retries?: number;
  /** Called before each retry with the wait chosen (Retry-After, else backoff). */
  readonly onRetry?: (info: { attempt: number; delayMs: number; error: ColwasmClientError }) => void;
  readonly signal?: AbortSignal;
}

/** Options of the client. */
export interface ClientOptions {
  /** Bearer token: the admin token for uploads and state deletes, the run token for runs and reads. */
  readonly token?: string;
  /** A fetch to use instead of the global one (a Worker's service binding, a test's wrapper). */
  readonly fetch?: typeof fetch;
  /** How to wait between retries (tests pass a fake clock); default setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Rows `[key, total]` of a reduce namespace. */
export type StateRow = readonly [unknown, unknown];

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

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
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(url: string, options: ClientOptions = {}) {
    this.#url = url.replace(/\/+$/, "");
    this.#token = options.token;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#sleep = options.sleep ?? defaultSleep;
  }

  /** The runtime's base URL. */
  get url(): string {
    return this.#url;
  }

  async #request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.#token !== undefined && this.#token !== "")
      headers.set("authorization", `Bearer ${this.#token}`);
    let res: Response;
    try {
      res = await this.#fetch(`${this.#url}${path}`, { ...init, headers });
    } catch (error) {
      throw new ColwasmConnectionError(this.#url, error);
    }
    if (res.ok) return res;
    throw await problemFromResponse(res);
  }

  /** Runs `chain` (e.g. `split_words,reduce:wc`; `""` only validates) over `batch`, decoding the answer. */
  async run(chain: string, batch: EncodedBatch, options: RunOptions = {}): Promise<RunResult> {
    const retries = options.retries ?? 0;
    const idempotencyKey = options.idempotencyKey ?? (retries > 0 ? crypto.randomUUID() : undefined);
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await this.#request(`/v1/run?chain=${encodeURIComponent(chain)}`, {
          method: "POST",
          body: batch.bytes,
          signal: options.signal,
          headers: {
            "content-type": "application/x-columnar",
            "columnar-schema": formatSchema(batch.schema),
            "columnar-format": batch.format,
            ...(idempotencyKey === undefined ? {} : { "idempotency-key": idempotencyKey }),
          },
        });
        const format = res.headers.get("columnar-format") === "0.12" ? "0.12" : "0.1";
        const schema = parseSchema(res.headers.get("columnar-schema") ?? "", { format });
        const body = new Uint8Array(await res.arrayBuffer());
        const stages = parseServerTiming(res.headers.get("server-timing"));
        const copiedBytes = Number(res.headers.get("colwasm-copied-bytes") ?? 0);
        return {
          batch: decodeBatch(body, schema, { format }),
          trace: { stages, copiedBytes },
          timings: stages,
          copiedBytes,
          idempotencyKey,
          attempts: attempt + 1,
        };
      } catch (error) {
        const canRetry =
          error instanceof ColwasmClientError && error.isRetryable && idempotencyKey !== undefined;
        if (!canRetry || attempt >= retries) throw error;
        const delayMs = retryDelayMs(attempt, { retryAfterMs: error.retryAfterMs });
        options.onRetry?.({ attempt: attempt + 1, delayMs, error });
        await this.#sleep(delayMs);
      }
    }
  }

  /** `GET /v1/operators`: built-in and uploaded operators. */
  async operators(): Promise<OperatorEntry[]> {
    const body: unknown = await (await this.#request("/v1/operators")).json();
    const list = typeof body === "object" && body !== null && "operators" in body ? body.operators : body;
    return Array.isArray(list) ? list.map(readOperatorEntry) : [];
  }

  /** `GET /v1/operators/NAME`. */
  async operator(name: string): Promise<OperatorEntry> {
    return readOperatorEntry(await (await this.#request(`/v1/operators/${encodeURIComponent(name)}`)).json());
  }

  /** `PUT /v1/operators/NAME` (admin token): manifest from the module's section, or these headers. */
  async pushOperator(
    name: string,
    wasm: Uint8Array<ArrayBuffer>,
    manifest: { abi?: string; input?: string; output?: string } = {},
  ): Promise<OperatorEntry> {
    const headers: Record<string, string> = { "content-type": "application/wasm" };
    if (manifest.abi) headers["operator-abi"] = manifest.abi;
    if (manifest.input) headers["operator-input"] = manifest.input;
    if (manifest.output) headers["operator-output"] = manifest.output;
    const path = `/v1/operators/${encodeURIComponent(name)}`;
    return readOperatorEntry(
      await (await this.#request(path, { method: "PUT", body: wasm, headers })).json(),
    );
  }

  /** `DELETE /v1/operators/NAME` (admin token). */
  async deleteOperator(name: string): Promise<void> {
    await (
      await this.#request(`/v1/operators/${encodeURIComponent(name)}`, { method: "DELETE" })
    ).body?.cancel();
  }

  /** `GET /v1/state/NAME[?key=K]` as rows `[key, total]` (404 `unknown-state` when absent). */
  async state(name: string, key?: string): Promise<StateRow[]> {
    const query = key === undefined ? "" : `?key=${encodeURIComponent(key)}`;
    const res = await this.#request(`/v1/state/${encodeURIComponent(name)}${query}`, {
      headers: { accept: "application/x-ndjson" },
    });
    const rows: StateRow[] = [];
    for (const line of (await res.text()).split("\n")) {
      if (line === "") continue;
      const row: unknown = JSON.parse(line);
      if (Array.isArray(row) && row.length === 2) rows.push([row[0], row[1]]);
    }
    return rows;
  }

  /** `DELETE /v1/state/NAME` (admin token): drops the namespace. */
  async deleteState(name: string): Promise<void> {
    await (await this.#request(`/v1/state/${encodeURIComponent(name)}`, { method: "DELETE" })).body?.cancel();
  }
}

/** Rows to a batch of format 0.1 (the first client's name for `encodeBatch`). */
export function encodeRows(schemaText: string, rows: readonly unknown[]): EncodedBatch {
  return encodeBatch(schemaText, rows);
}
