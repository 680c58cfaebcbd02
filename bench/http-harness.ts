// HTTP end to end on loopback (issue #8 §7), Node only: colwasm on workerd (Miniflare) and Deno,
// load-tested with autocannon for a bounded duration. Per runtime: the empty-request rate
// (`GET /healthz`), a bare echo of a 1 MiB batch (the empty chain `?chain=`: validate +
// re-encode), the chain of 4 on that batch and on 1k-row batches, and the JSON baseline served by
// the same runtime (bench/json-server-source.ts). Also the wordcount reduce on workerd with its
// `Colwasm-Reduce-Shard-Calls` header.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import autocannon from "autocannon";
import { Miniflare } from "miniflare";
import { serveDeno } from "../src/runtimes/serve-deno.node.ts";
import { serveWorkers } from "../src/runtimes/serve-workers.node.ts";
import { CHAINS, jsonBody } from "./baselines.ts";
import { encodeRows, LINE_SCHEMA_TEXT, lineRows } from "./line-rows.ts";
import { denoJsonServerSource, JSON_WORKER_SOURCE } from "./json-server-source.ts";
import { wordcountBatch, wordcountChain } from "./reduce-harness.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

/** One autocannon case. */
export interface HttpCase {
  readonly runtime: "workerd" | "deno";
  readonly id: "empty" | "echo-1mib" | "chain4-1mib" | "chain4-1k" | "json-chain4-1mib" | "json-chain4-1k";
  readonly label: string;
  readonly bodyBytes: number;
  readonly rows: number;
  readonly requestsPerSec: number;
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  readonly requests: number;
  readonly errors: number;
  readonly non2xx: number;
}

/** Wordcount reduce over HTTP on workerd. */
export interface HttpReduce {
  readonly runtime: "workerd";
  readonly words: number;
  readonly medianMs: number;
  readonly wordsPerSec: number;
  readonly shardCallsPerBatch: number[];
  readonly samples: number;
}

export interface HttpResult {
  readonly durationSec: number;
  readonly connections: number;
  readonly cases: readonly HttpCase[];
  readonly reduce?: HttpReduce;
  readonly skipped: readonly string[];
}

/** Rows of the 1 MiB batch: the largest line count whose body fits in 1 MiB. */
export function rowsForBytes(bytes: number): number {
  let lo = 1;
  let hi = 100_000;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (encodeRows(lineRows(mid)).byteLength <= bytes) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

async function load(
  url: string,
  options: {
    method: "GET" | "POST";
    body?: Uint8Array;
    headers?: Record<string, string>;
    duration: number;
    connections: number;
  },
) {
  const result = await autocannon({
    url,
    method: options.method,
    body:
      options.body === undefined
        ? undefined
        : Buffer.from(options.body.buffer, options.body.byteOffset, options.body.byteLength),
    headers: options.headers,
    connections: options.connections,
    duration: options.duration,
    pipelining: 1,
  });
  return {
    requestsPerSec: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/** Builds the Workers bundle into a temporary directory (the shared dist/worker is left alone). */
async function buildWorker(dir: string): Promise<void> {
  const out = join("..", "..", dir); // build-worker.ts joins --out onto the repository root
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/build-worker.ts", "--out", out], {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "inherit"],
    });
    child.once("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`build-worker exited with ${code}`)),
    );
  });
}

/** Spawns Deno serving the JSON baseline; resolves with its URL and a stop function. */
async function serveDenoJson(dir: string): Promise<{ url: string; stop: () => Promise<void> }> {
  const modulePath = join(dir, "json-handler.js");
  writeFileSync(modulePath, JSON_WORKER_SOURCE);
  const entry = join(dir, "json-server.js");
  writeFileSync(entry, denoJsonServerSource(pathToFileURL(modulePath).href));
  const child: ChildProcess = spawn(join(ROOT, "node_modules/.bin/deno"), ["run", "--allow-net", entry], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error("Deno JSON server did not start")), 30_000);
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      text += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match !== null) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Runs every HTTP case on both runtimes. */
export async function measureHttp(options: {
  durationSec: number;
  connections: number;
  reduceSamples: number;
  onProgress?: (message: string) => void;
}): Promise<HttpResult> {
  const progress = options.onProgress ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), "colwasm-bench-"));
  const skipped: string[] = [];
  const mibRows = rowsForBytes(1 << 20);
  const mibLines = lineRows(mibRows);
  const batches = {
    mib: { body: encodeRows(mibLines), json: jsonBody(mibLines), rows: mibRows },
    k: { body: encodeRows(lineRows(1000)), json: jsonBody(lineRows(1000)), rows: 1000 },
  };
  const columnar = { "content-type": "application/x-columnar", "columnar-schema": LINE_SCHEMA_TEXT };
  const cases: HttpCase[] = [];
  const { durationSec: duration, connections } = options;

  const runCases = async (runtime: HttpCase["runtime"], url: string, jsonUrl: string | undefined) => {
    const add = async (
      id: HttpCase["id"],
      label: string,
      rows: number,
      bytes: number,
      run: Promise<Awaited<ReturnType<typeof load>>>,
    ) => {
      progress(`http ${runtime}: ${label}`);
      cases.push({ runtime, id, label, rows, bodyBytes: bytes, ...(await run) });
    };
    await add(
      "empty",
      "GET /healthz (empty request)",
      0,
      0,
      load(`${url}/healthz`, { method: "GET", duration, connections }),
    );
    const post = (chain: string, body: Uint8Array) =>
      load(`${url}/v1/run?chain=${chain}`, {
        method: "POST",
        body,
        headers: columnar,
        duration,
        connections,
      });
    await add(
      "echo-1mib",
      "1 MiB batch, empty chain (echo)",
      batches.mib.rows,
      batches.mib.body.byteLength,
      post("", batches.mib.body),
    );
    await add(
      "chain4-1mib",
      "1 MiB batch, chain of 4",
      batches.mib.rows,
      batches.mib.body.byteLength,
      post(CHAINS.four, batches.mib.body),
    );
    await add(
      "chain4-1k",
      "1k-row batch, chain of 4",
      1000,
      batches.k.body.byteLength,
      post(CHAINS.four, batches.k.body),
    );
    if (jsonUrl === undefined) return;
    const postJson = (body: Uint8Array) =>
      load(jsonUrl, {
        method: "POST",
        body,
        headers: { "content-type": "application/json" },
        duration,
        connections,
      });
    await add(
      "json-chain4-1mib",
      "JSON: same rows as the 1 MiB batch, chain of 4 in JS",
      batches.mib.rows,
      batches.mib.json.byteLength,
      postJson(batches.mib.json),
    );
    await add(
      "json-chain4-1k",
      "JSON: 1k rows, chain of 4 in JS",
      1000,
      batches.k.json.byteLength,
      postJson(batches.k.json),
    );
  };

  let reduce: HttpReduce | undefined;
  try {
    progress("http: building the Workers bundle");
    const bundleDir = join(dir, "worker");
    await buildWorker(bundleDir);
    const workers = await serveWorkers({ bundleDir });
    const jsonMf = new Miniflare({
      script: JSON_WORKER_SOURCE,
      modules: true,
      compatibilityDate: "2026-04-01",
      port: 0,
      host: "127.0.0.1",
    });
    try {
      const jsonUrl = (await jsonMf.ready).href.replace(/\/$/, "");
      await runCases("workerd", workers.url, jsonUrl);
      reduce = await measureWorkersReduce(workers.url, options.reduceSamples, progress);
    } finally {
      await jsonMf.dispose().catch(() => {});
      await workers.dispose();
    }
  } catch (error) {
    skipped.push(`workerd: ${String(error)}`);
  }
  try {
    const deno = await serveDeno({ forwardOutput: false });
    const denoJson = await serveDenoJson(dir);
    try {
      await runCases("deno", deno.url, denoJson.url);
    } finally {
      await denoJson.stop();
      await deno.stop();
    }
  } catch (error) {
    skipped.push(`deno: ${String(error)}`);
  }
  rmSync(dir, { recursive: true, force: true });
  return { durationSec: duration, connections, cases, reduce, skipped };
}

/** Sequential wordcount requests to workerd (real Durable Objects); a handful, so fetch is fine. */
async function measureWorkersReduce(
  url: string,
  samples: number,
  progress: (m: string) => void,
): Promise<HttpReduce> {
  progress("http workerd: wordcount reduce");
  const words = 100_000;
  const { body } = wordcountBatch(words, 10_000);
  const times: number[] = [];
  const calls: number[] = [];
  for (let i = 0; i <= samples; i++) {
    const started = performance.now();
    const response = await fetch(`${url}/v1/run?chain=${wordcountChain()}`, {
      method: "POST",
      body: new Uint8Array(body), // copy: fetch wants an ArrayBuffer-backed view
      headers: { "content-type": "application/x-columnar", "columnar-schema": LINE_SCHEMA_TEXT },
    });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`reduce on workerd answered ${response.status}`);
    if (i === 0) continue; // warm-up: creates the shards
    times.push(performance.now() - started);
    calls.push(Number(response.headers.get("colwasm-reduce-shard-calls")));
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  return {
    runtime: "workerd",
    words,
    medianMs: median,
    wordsPerSec: words / (median / 1000),
    shardCallsPerBatch: calls,
    samples,
  };
}
