// Both real runtimes behind one test interface: workerd through Miniflare (a bundle per test file,
// Durable Objects persisted under a state dir) and a `deno run` child process (Deno KV under a
// state dir), with a hard stop for fault tests and the helpers every reliability test shares.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  columnToRows,
  decodeBatch,
  encodeBatch,
  parseSchema,
  rowsToColumn,
} from "../../src/columnar/index.ts";
import { serveDeno } from "../../src/runtimes/serve-deno.node.ts";
import { serveWorkers } from "../../src/runtimes/serve-workers.node.ts";

export type RuntimeKind = "workers" | "deno";
/** Both, or those listed in COLWASM_TEST_RUNTIMES (e.g. `deno`) while debugging one. */
export const RUNTIMES: readonly RuntimeKind[] = (process.env.COLWASM_TEST_RUNTIMES ?? "workers,deno")
  .split(",")
  .filter((k): k is RuntimeKind => k === "workers" || k === "deno");

export const ROOT = new URL("../../", import.meta.url);
export const SCHEMA = "(String, i64)";
const schema = parseSchema(SCHEMA);

/** A running runtime. */
export interface TestRuntime {
  readonly kind: RuntimeKind;
  readonly url: string;
  /** Deno only: the server's process id. */
  readonly pid?: number;
  /** Graceful stop (Miniflare dispose, Deno SIGTERM). */
  stop(): Promise<void>;
  /** Hard stop: Deno SIGKILL (no shutdown, no KV close); Workers dispose (workerd torn down mid-flight). */
  kill(): Promise<void>;
}

/** Options of `startRuntime`. */
export interface StartOptions {
  /** Persisted state; in memory without it. */
  readonly stateDir?: string;
  /** COLWASM_* settings. */
  readonly vars?: Readonly<Record<string, string>>;
  /** Workers only: the bundle built by `buildWorker`. */
  readonly bundleDir?: string;
  /** Deno only: forward its stdout/stderr to ours (default false). */
  readonly forwardOutput?: boolean;
}

/** Builds the Workers bundle into `dist/<name>` (one per test file, so parallel files never race). */
export function buildWorker(name: string): string {
  const out = `dist/${name}`;
  const built = spawnSync(process.execPath, ["--import", "tsx", "scripts/build-worker.ts", "--out", out], {
    cwd: fileURLToPath(ROOT),
    encoding: "utf8",
  });
  assert.equal(built.status, 0, built.stderr);
  return fileURLToPath(new URL(out, ROOT));
}

/** Starts `kind` and resolves once it listens. */
export async function startRuntime(kind: RuntimeKind, options: StartOptions = {}): Promise<TestRuntime> {
  if (kind === "workers") {
    const mf = await serveWorkers({
      stateDir: options.stateDir,
      vars: options.vars,
      bundleDir: options.bundleDir,
    });
    return { kind, url: mf.url, stop: () => mf.dispose(), kill: () => mf.dispose() };
  }
  const deno = await serveDeno({
    stateDir: options.stateDir,
    env: options.vars,
    forwardOutput: options.forwardOutput ?? false,
  });
  return {
    kind,
    url: deno.url,
    pid: deno.pid,
    stop: () => deno.stop(),
    kill: async () => {
      process.kill(deno.pid, "SIGKILL");
      await deno.stop();
    },
  };
}

/** fetch with a deadline and an optional bearer token. */
export function call(
  base: string,
  path: string,
  init: RequestInit & { token?: string; timeoutMs?: number } = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.token !== undefined) headers.set("authorization", `Bearer ${init.token}`);
  return fetch(`${base}${path}`, { ...init, headers, signal: AbortSignal.timeout(init.timeoutMs ?? 15_000) });
}

/** POST /v1/run with a `(String, i64)` columnar body (or NDJSON text). */
export function run(
  base: string,
  chain: string,
  body: Uint8Array | string,
  options: { token?: string; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Response> {
  return call(base, `/v1/run?chain=${encodeURIComponent(chain)}`, {
    method: "POST",
    headers: {
      "content-type": typeof body === "string" ? "application/x-ndjson" : "application/x-columnar",
      "columnar-schema": SCHEMA,
      ...options.headers,
    },
    body: typeof body === "string" ? body : body.slice(),
    token: options.token,
    timeoutMs: options.timeoutMs,
  });
}

/** PUT /v1/operators/NAME. */
export function upload(
  base: string,
  name: string,
  wasm: Uint8Array,
  options: { token?: string; headers?: Record<string, string> } = {},
): Promise<Response> {
  return call(base, `/v1/operators/${name}`, {
    method: "PUT",
    headers: { "content-type": "application/wasm", ...options.headers },
    body: wasm.slice(),
    token: options.token,
  });
}

/** A `(String, i64)` columnar body. */
export function batch(rows: unknown[][]): Uint8Array<ArrayBuffer> {
  return encodeBatch(rowsToColumn(schema, rows)).slice();
}

/** Rows of a `(String, i64)` columnar body. */
export function rowsOf(body: Uint8Array): unknown[][] {
  return columnToRows(schema, decodeBatch(body, schema).column) as unknown[][];
}

/** Bytes of a hostile fixture (`test/fixtures/wasm/dist`) or a built operator (`operators/dist`). */
export function wasmFile(path: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(path, ROOT)));
}

/** Asserts a problem+json answer by status and type; returns its fields. */
export async function expectProblem(
  res: Response,
  status: number,
  type: string,
): Promise<Record<string, unknown>> {
  const text = await res.text();
  assert.equal(res.status, status, text);
  assert.match(res.headers.get("content-type") ?? "", /^application\/problem\+json/);
  const problem = JSON.parse(text) as Record<string, unknown>;
  assert.equal(problem.type, `/problems/${type}`, text);
  assert.equal(problem.status, status, text);
  return problem;
}

/** Asserts a 200 columnar answer with `rows`. */
export async function expectRows(res: Response, rows: unknown[][]): Promise<void> {
  const body = new Uint8Array(await res.arrayBuffer());
  assert.equal(res.status, 200, new TextDecoder().decode(body));
  assert.deepEqual(rowsOf(body), rows);
}

/** GET /v1/state/NAME as a map (empty on 404). */
export async function readTotals(base: string, name: string, token?: string): Promise<Map<string, bigint>> {
  const res = await call(base, `/v1/state/${name}`, { token });
  const text = await res.text();
  if (res.status === 404) return new Map();
  assert.equal(res.status, 200, text);
  const totals = new Map<string, bigint>();
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const [key, total] = JSON.parse(line) as [string, number | string];
    totals.set(key, BigInt(total));
  }
  return totals;
}

/** mulberry32: a small seeded PRNG. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Compiles WAT text with wabt (tests build tiny one-off modules inline), with `features` on. */
export async function wat(source: string, features: { exceptions?: boolean } = {}): Promise<Uint8Array> {
  const wabt = await (await import("wabt")).default();
  const module = wabt.parseWat("inline.wat", source, features);
  try {
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

/**
 * Records everything this process writes to stdout and stderr (still writing it through): Deno's
 * forwarded output and workerd's, which Miniflare relays through console.log/console.error.
 */
export function captureOutput(): { text(): string; restore(): void } {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((s) => s.write.bind(s));
  streams.forEach((stream, k) => {
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
      return (originals[k] as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
  });
  return {
    text: () => chunks.join(""),
    restore: () => streams.forEach((stream, k) => (stream.write = originals[k] as typeof stream.write)),
  };
}
