// Runs the suite's colwasm tasks and the wordcount reduce inside workerd (Miniflare), Node side:
// bundles bench/workerd-bench.ts with esbuild (operators capped and imported as CompiledWasm, the
// ReduceShard Durable Object class from src), then times requests from outside. A request runs a
// task n times; per-operation time = (T(n) − T(1)) / (n − 1), medians over several pairs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { WORKERD_BUNDLE_OPTIONS } from "../scripts/workerd-bundle-options.ts";
import { Miniflare } from "miniflare";
import { capModuleLimits } from "../src/wasm/index.ts";
import { BENCH_LIMITS } from "./bench-wasm.ts";
import { type SizeResult, type TaskResult, taskLabel } from "./suite-harness.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const OPERATORS = ["split_words", "lowercase", "filter_nonempty", "len_plus_diff", "identity"];

/** The reduce designs on real Durable Objects. */
export interface WorkerdReduce {
  readonly design: "sharded" | "per-key";
  readonly medianMs: number;
  readonly samples: number;
  readonly wordsPerSec: number;
  readonly callsPerBatch: number;
}

/** True for a fetch that failed because its connection was reset (undici's "fetch failed"). */
function isConnectionReset(error: unknown): boolean {
  return error instanceof TypeError && (error.cause as { code?: string } | undefined)?.code === "ECONNRESET";
}

async function bundle(dir: string): Promise<void> {
  const imports = OPERATORS.map((name) => `import ${name} from "./${name}.wasm";`).join("\n");
  for (const name of OPERATORS) {
    const wasm = readFileSync(join(ROOT, "operators/dist", `${name}.wasm`));
    writeFileSync(join(dir, `${name}.wasm`), capModuleLimits(wasm, BENCH_LIMITS.maxMemoryPages));
  }
  writeFileSync(join(dir, "validate_kernels.wasm"), readFileSync(join(ROOT, "dist/kernels/validate.wasm")));
  writeFileSync(
    join(dir, "entry.ts"),
    `${imports}
import validate_kernels from "./validate_kernels.wasm";
import { createBenchWorker } from ${JSON.stringify(join(ROOT, "bench/workerd-bench.ts"))};
export { ReduceShard } from ${JSON.stringify(join(ROOT, "src/runtimes/workers/reduce-shard.workers.ts"))};
export default createBenchWorker({ ${OPERATORS.join(", ")} }, validate_kernels);
`,
  );
  await build({
    entryPoints: [join(dir, "entry.ts")],
    outfile: join(dir, "main.js"),
    ...WORKERD_BUNDLE_OPTIONS,
    external: ["cloudflare:*", "node:*", "*.wasm"],
    logLevel: "error",
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Measures `ids` at `rows` rows inside workerd; `estimateMs` sizes n so a request takes ~`targetMs`. */
export async function measureWorkerd(options: {
  rows: number;
  ids: readonly string[];
  estimateMs: (id: string) => number;
  targetMs: number;
  pairs: number;
  reduce?: { words: number; distinct: number; samples: number };
  onProgress?: (message: string) => void;
}): Promise<{ size: SizeResult; reduce: WorkerdReduce[] }> {
  const dir = mkdtempSync(join(tmpdir(), "colwasm-workerd-bench-"));
  await bundle(dir);
  const mf = new Miniflare({
    scriptPath: join(dir, "main.js"),
    modules: true,
    modulesRoot: dir,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-01",
    compatibilityFlags: ["nodejs_compat"],
    durableObjects: { REDUCE_SHARD: { className: "ReduceShard", useSQLite: true } },
    port: 0,
    host: "127.0.0.1",
  });
  try {
    const base = (await mf.ready).href.replace(/\/$/, "");
    const get = async (path: string) => {
      const started = performance.now();
      const response = await fetch(`${base}${path}`).catch((error: unknown) => {
        // workerd closes a keep-alive connection after a long request (the per-key reduce's ~6 s),
        // and the next request on it is reset before workerd reads it (measured: ~17 ms in);
        // that lost the whole workerd section in most full runs. Once more, on a fresh connection.
        if (!isConnectionReset(error)) throw error;
        return fetch(`${base}${path}`);
      });
      const body = await response.text();
      if (!response.ok) throw new Error(`workerd bench ${path}: ${response.status} ${body.slice(0, 800)}`);
      return { ms: performance.now() - started, body };
    };
    options.onProgress?.(`workerd in-process: setting up ${options.rows} rows`);
    const setup = JSON.parse(
      (await get(`/setup?rows=${options.rows}&only=${options.ids.join(",")}`)).body,
    ) as {
      ids: string[];
      bodyBytes: number;
    };
    const timed: { id: string; samples: number[] }[] = [];
    for (const id of setup.ids) {
      const n = Math.max(
        3,
        Math.min(20_000, Math.ceil(options.targetMs / Math.max(options.estimateMs(id), 1e-4))),
      );
      await get(`/run?id=${id}&n=${n}`); // warm-up
      const samples: number[] = [];
      for (let p = 0; p < options.pairs; p++) {
        const one = await get(`/run?id=${id}&n=1`);
        const many = await get(`/run?id=${id}&n=${n}`);
        samples.push(Math.max(0, many.ms - one.ms) / (n - 1));
      }
      timed.push({ id, samples: samples.sort((a, b) => a - b) });
    }
    const memcpyMs = median(timed.find((t) => t.id === "memcpy")?.samples ?? [Number.NaN]);
    const tasks = timed.map((t): TaskResult => {
      const [approach, logic] = t.id.split(":") as [TaskResult["approach"], TaskResult["logic"]];
      const m = median(t.samples);
      return {
        id: t.id,
        approach,
        logic,
        label: taskLabel(t.id),
        medianMs: m,
        p25Ms: t.samples[Math.floor((t.samples.length - 1) / 4)],
        p75Ms: t.samples[Math.ceil((3 * (t.samples.length - 1)) / 4)],
        minMs: t.samples[0],
        maxMs: t.samples[t.samples.length - 1],
        samples: t.samples.length,
        rowsPerSec: options.rows / (m / 1000),
        ratioToMemcpy: m / memcpyMs,
      };
    });
    const reduce: WorkerdReduce[] = [];
    if (options.reduce !== undefined) {
      const { words, distinct, samples } = options.reduce;
      for (const design of ["sharded", "per-key"] as const) {
        options.onProgress?.(`workerd reduce: ${design}`);
        const path = `/reduce?design=${design}&words=${words}&distinct=${distinct}`;
        await get(path); // warm-up: creates the shards
        const times: number[] = [];
        let calls = 0;
        for (let i = 0; i < samples; i++) {
          const r = await get(path);
          times.push(r.ms);
          calls = (JSON.parse(r.body) as { calls: number }).calls;
        }
        const m = median(times);
        reduce.push({ design, medianMs: m, samples, wordsPerSec: words / (m / 1000), callsPerBatch: calls });
      }
    }
    return {
      size: { rows: options.rows, bodyBytes: setup.bodyBytes, jsonBytes: 0, arrowBytes: 0, words: 0, tasks },
      reduce,
    };
  } finally {
    await mf.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
}
