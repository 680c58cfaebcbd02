// The typed client (fetch only: Node, Deno, browsers, Workers): encodes batches, runs chains,
// decodes results with their trace, manages operators and reads state. Retries only answers that
// are retryable (503) and only with an Idempotency-Key, so nothing is ever applied twice.
import {
  type BatchView,
  decodeBatch,
  encodeBatch,
  type Format,
  formatSchema,
  parseSchema,
  rowsToColumn,
  type Schema,
} from "../columnar/index.ts";
import { ColwasmError } from "../error.ts";
import { ColwasmClientError } from "./client-error.ts";

/** One stage's timing from `Server-Timing`. */
export interface StageTiming {
  readonly name: string;
  readonly durationMs: number;
}

/** A chain's answer: the decoded output and how the runtime got there. */
export interface RunResult {
  readonly batch: BatchView;
  readonly timings: readonly StageTiming[];
  readonly copiedBytes: number;
}

/** Options of `run`. */
export interface RunOptions {
  readonly format?: Format;
  /** Sent as `Idempotency-Key`; with `retries`, a key is generated when absent. */
  readonly idempotencyKey?: string;
  /** Retries of 503 answers, with exponential backoff (default 0). */
  readonly retries?: number;
}

/** An encoded batch ready to send. */
export interface EncodedBatch {
  readonly schema: Schema;
  readonly format: Format;
  readonly bytes: Uint8Array<ArrayBuffer>;
}

/** Rows (spec §8 mapping) to an encoded batch. */
export function encodeRows(
  schemaText: string,
  rows: readonly unknown[],
  format: Format = "0.1",
): EncodedBatch {
  const schema = parseSchema(schemaText, { format });
  return { schema, format, bytes: encodeBatch(rowsToColumn(schema, rows), { format }).slice() };
}

/** Parses `Server-Timing` entries written by the runtime (`name;dur=1.2;desc="…"`). */
export function parseServerTiming(header: string | null): StageTiming[] {
  if (header === null) return [];
  return header.split(",").map((entry) => {
    const [rawName, ...params] = entry.trim().split(";");
    const desc = params.find((p) => p.trim().startsWith("desc="));
    const dur = params.find((p) => p.trim().startsWith("dur="));
    const name = desc ? desc.trim().slice(5).replace(/^"|"$/g, "") : rawName.trim();
    return { name, durationMs: dur ? Number(dur.trim().slice(4)) : 0 };
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A client of one colwasm runtime. */
export class ColwasmClient {
  readonly #url: string;
  readonly #token: string | undefined;
  readonly #fetch: typeof fetch;

  constructor(url: string, options: { token?: string; fetch?: typeof fetch } = {}) {
    this.#url = url.replace(/\/$/, "");
    this.#token = options.token;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  async #request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.#token !== undefined) headers.set("authorization", `Bearer ${this.#token}`);
    let res: Response;
    try {
      res = await this.#fetch(`${this.#url}${path}`, { ...init, headers });
    } catch (error) {
      throw new ColwasmError(
        "unavailable",
        `Cannot reach ${this.#url}: ${error instanceof Error ? error.message : String(error)}`,
        {},
        { cause: error },
      );
    }
    if (res.ok) return res;
    const text = await res.text();
    let problem: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text);
      problem =
        typeof parsed === "object" && parsed !== null
          ? (parsed as Record<string, unknown>)
          : { detail: text };
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      problem = { detail: text.slice(0, 200) || `HTTP ${res.status}` };
    }
    throw new ColwasmClientError(res.status, problem);
  }

  /** Runs `chain` (e.g. `split_words,reduce:wc`) over `batch` and decodes the answer. */
  async run(chain: string, batch: EncodedBatch, options: RunOptions = {}): Promise<RunResult> {
    const retries = options.retries ?? 0;
    const idempotencyKey = options.idempotencyKey ?? (retries > 0 ? crypto.randomUUID() : undefined);
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await this.#request(`/v1/run?chain=${encodeURIComponent(chain)}`, {
          method: "POST",
          body: batch.bytes,
          headers: {
            "content-type": "application/x-columnar",
            "columnar-schema": formatSchema(batch.schema),
            "columnar-format": batch.format,
            ...(idempotencyKey === undefined ? {} : { "idempotency-key": idempotencyKey }),
          },
        });
        const schema = parseSchema(res.headers.get("columnar-schema") ?? "");
        const format = res.headers.get("columnar-format") === "0.12" ? "0.12" : "0.1";
        return {
          batch: decodeBatch(new Uint8Array(await res.arrayBuffer()), schema, { format }),
          timings: parseServerTiming(res.headers.get("server-timing")),
          copiedBytes: Number(res.headers.get("colwasm-copied-bytes") ?? 0),
        };
      } catch (error) {
        const canRetry =
          error instanceof ColwasmClientError && error.isRetryable && idempotencyKey !== undefined;
        if (!canRetry || attempt >= retries) throw error;
        await sleep(Math.min(100 * 2 ** attempt, 5000));
      }
    }
  }

  /** `GET /v1/operators`. */
  async operators(): Promise<unknown[]> {
    const body: unknown = await (await this.#request("/v1/operators")).json();
    return typeof body === "object" && body !== null && "operators" in body && Array.isArray(body.operators)
      ? body.operators
      : [];
  }

  /** `PUT /v1/operators/NAME` (admin token). */
  async pushOperator(
    name: string,
    wasm: Uint8Array<ArrayBuffer>,
    manifest: { abi?: string; input?: string; output?: string } = {},
  ): Promise<unknown> {
    const headers: Record<string, string> = { "content-type": "application/wasm" };
    if (manifest.abi) headers["operator-abi"] = manifest.abi;
    if (manifest.input) headers["operator-input"] = manifest.input;
    if (manifest.output) headers["operator-output"] = manifest.output;
    return (
      await this.#request(`/v1/operators/${encodeURIComponent(name)}`, { method: "PUT", body: wasm, headers })
    ).json();
  }

  /** `GET /v1/state/NAME[?key=K]` as rows `[key, total]`. */
  async state(name: string, key?: string): Promise<unknown[]> {
    const query = key === undefined ? "" : `?key=${encodeURIComponent(key)}`;
    const text = await (
      await this.#request(`/v1/state/${encodeURIComponent(name)}${query}`, {
        headers: { accept: "application/x-ndjson" },
      })
    ).text();
    return text
      .split("\n")
      .filter((l) => l !== "")
      .map((l): unknown => JSON.parse(l));
  }
}
