// The in-process part of the suite (issue #8): on the same generated lines, at each size, memcpy
// (the physical limit), decode, one hop, colwasm end to end (decode + chain + the one copy out),
// JSON, Apache Arrow IPC, plain JS over the typed columns and one WASM call per record, as
// medians with spread. Runtime-neutral (Node, Deno): `bench/inprocess.deno.ts` runs it in Deno.
import { Bench } from "tinybench";
import { tableFromIPC } from "apache-arrow";
import { decodeBatch, encodeSlices } from "../src/columnar/index.ts";
import { type ChainPlan, InlineExecutor, parseChain, planChain, runChain } from "../src/chain/index.ts";
import { BodyArena } from "../src/wasm/index.ts";
import type { HostedOperator } from "../src/wasm/index.ts";
import {
  arrowBody,
  arrowPipeline,
  CHAINS,
  jsonBody,
  jsonPipeline,
  type Logic,
  typedJsPipeline,
} from "./baselines.ts";
import { BENCH_LIMITS, perRecordFunction, runPerRecord } from "./bench-operators.ts";
import { encodeRows, LINE_SCHEMA, lineRows } from "./line-rows.ts";
import { measureRounds } from "./ratio-rounds.ts";

/** Approaches of the suite, in report order. */
export const APPROACHES = ["memcpy", "colwasm", "typed-js", "arrow", "json", "per-record"] as const;
export type Approach = (typeof APPROACHES)[number] | "decode" | "decode-arena" | "hop";

/** Human names of approaches and logics. */
export const APPROACH_LABELS: Readonly<Record<Approach, string>> = {
  memcpy: "memcpy of the batch bytes",
  colwasm: "colwasm (body into the first operator + chain + copy out)",
  "typed-js": "plain JS over typed columns",
  arrow: "Arrow IPC + JS",
  json: "JSON + JS",
  "per-record": "one WASM call per record",
  decode: "decode (validate in JS + views)",
  "decode-arena": "decode via a body arena (copy in + WASM validation)",
  hop: "identity chain",
};
export const LOGIC_LABELS: Readonly<Record<Logic, string>> = {
  words: "split_words,lowercase",
  single: "len_plus_diff",
  four: "chain of 4 (split_words,lowercase,filter_nonempty,len_plus_diff)",
};

/** One measured task. Times are ms per operation over the whole batch. */
export interface TaskResult {
  readonly id: string;
  readonly approach: Approach;
  readonly logic?: Logic;
  readonly label: string;
  readonly medianMs: number;
  readonly p25Ms: number;
  readonly p75Ms: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly samples: number;
  /** Input rows per second at the median. */
  readonly rowsPerSec: number;
  readonly ratioToMemcpy: number;
}

/** One size. */
export interface SizeResult {
  readonly rows: number;
  readonly bodyBytes: number;
  readonly jsonBytes: number;
  readonly arrowBytes: number;
  /** Words after split_words (output rows of `words`). */
  readonly words: number;
  readonly tasks: readonly TaskResult[];
  /**
   * One hop in memcpys, (4 hops − 1 hop) / 3 measured in rounds next to memcpy
   * (bench/ratio-rounds.ts): the difference of two tinybench medians taken seconds apart swings
   * between 0.6× and 2.3× on a shared machine.
   */
  readonly hopRatio?: number;
  /** Of one hop, its memcpy from one module's memory into the next alone, in memcpys (in rounds). */
  readonly hopMemcpyRatio?: number;
}

/** Options of measureInProcess. */
export interface InProcessOptions {
  readonly sizes: readonly number[];
  readonly operators: (name: string) => HostedOperator;
  /** The validation kernels (dist/kernels/validate.wasm) the runtimes validate operator output with. */
  readonly kernelModule: WebAssembly.Module;
  /** Measuring time per task, ms (tinybench `time`). */
  readonly timeMs: number;
  readonly warmupMs: number;
  /** Minimum samples per task. */
  readonly iterations: number;
  readonly seed?: number;
  /** Only these task ids (e.g. ["memcpy", "colwasm:words"]); default all. */
  readonly only?: readonly string[];
  /** Told before each size. */
  readonly onProgress?: (message: string) => void;
}

/** Human label of a task id. */
export function taskLabel(id: string): string {
  const [approach, tail] = id.split(":") as [Approach, string | undefined];
  if (approach === "hop") return tail === "1" ? "identity (1 hop)" : `identity × ${tail} (${tail} hops)`;
  const logic = tail as Logic | undefined;
  return logic === undefined
    ? APPROACH_LABELS[approach]
    : `${APPROACH_LABELS[approach]}: ${LOGIC_LABELS[logic]}`;
}

/** Task id of an approach and logic. */
export function taskId(approach: Approach, logic?: Logic): string {
  return logic === undefined ? approach : `${approach}:${logic}`;
}

const LOGICS: readonly Logic[] = ["words", "single", "four"];

/**
 * What a runtime does with a request: the body read into a pooled WASM arena (one copy) and
 * validated there by the WASM kernels, the chain, and the one copy out (a Response copies its body
 * once), into a reused buffer.
 */
/**
 * colwasm as a Workers runner isolate runs a request: the body read straight into the first
 * operator's memory and validated there (InlineExecutor.runSegmentOnBody), the chain, and the
 * response's one copy out.
 */
function colwasmPipeline(
  plan: ChainPlan,
  executor: InlineExecutor,
): (body: Uint8Array) => Promise<Uint8Array> {
  let out = new Uint8Array(0);
  return async (body) => {
    const input = { source: body, byteLength: body.byteLength, schema: LINE_SCHEMA };
    const { output } = await runChain(plan, input, { segments: executor });
    let bytes = output.bytes;
    bytes ??= encodeSlices(output.slices, "0.1");
    if (out.byteLength < bytes.byteLength) out = new Uint8Array(bytes.byteLength * 1.25);
    out.set(bytes); // copy: the response body
    return out.subarray(0, bytes.byteLength);
  };
}

function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/** Checks every approach computes the same thing on this batch (row counts, and identical columnar bytes). */
async function checkAgreement(
  logic: Logic,
  outputs: { colwasm: Uint8Array; typed: Uint8Array; json: Uint8Array; arrow: Uint8Array },
): Promise<number> {
  const rows = decodeBatch(outputs.colwasm, LINE_SCHEMA).length;
  const same =
    outputs.colwasm.byteLength === outputs.typed.byteLength &&
    outputs.colwasm.every((b, i) => b === outputs.typed[i]);
  if (!same) throw new Error(`bench: plain-JS ${logic} output differs from colwasm's`);
  const jsonRows = (JSON.parse(new TextDecoder().decode(outputs.json)) as unknown[]).length;
  const arrowRows = tableFromIPC(outputs.arrow).numRows;
  if (jsonRows !== rows || arrowRows !== rows)
    throw new Error(
      `bench: ${logic} row counts differ: colwasm ${rows}, JSON ${jsonRows}, Arrow ${arrowRows}`,
    );
  return rows;
}

/** The suite's tasks on one batch, as functions (measured by tinybench here, by bench/workerd-bench.ts in workerd). */
export interface SuiteTasks {
  readonly bodyBytes: number;
  readonly jsonBytes: number;
  readonly arrowBytes: number;
  readonly words: number;
  readonly tasks: readonly { readonly id: string; readonly fn: () => unknown }[];
  /** Runs identity×4 and answers the mean memcpy of its hops 2-4, as the host timed it (ms). */
  readonly hopMemcpyMs: () => Promise<number>;
  /** Keeps results alive (never negative). */
  readonly sink: () => number;
}

/** Builds the tasks at `rowCount` rows after checking that the approaches agree on the output. */
export async function suiteTasks(
  rowCount: number,
  options: Pick<InProcessOptions, "operators" | "kernelModule" | "seed" | "only">,
): Promise<SuiteTasks> {
  const rows = lineRows(rowCount, options.seed);
  const body = encodeRows(rows);
  const json = jsonBody(rows);
  const arrow = arrowBody(rows);
  const executor = new InlineExecutor(BENCH_LIMITS, { kernelModule: options.kernelModule });
  const arena = new BodyArena(options.kernelModule);
  const resolver = { resolve: async (name: string) => options.operators(name) };
  const plan = (chain: string) => planChain(parseChain(chain), LINE_SCHEMA, resolver);
  const wanted = (id: string) => options.only === undefined || options.only.includes(id);
  const copyTarget = new Uint8Array(body.byteLength);
  let sink = 0;
  const tasks: { id: string; fn: () => unknown }[] = [];
  const add = (id: string, fn: () => unknown) => {
    if (wanted(id)) tasks.push({ id, fn });
  };
  add("memcpy", () => copyTarget.set(body)); // copy: the physical limit
  add("decode", () => (sink += decodeBatch(body, LINE_SCHEMA).length));
  add("decode-arena", async () => {
    const view = decodeBatch(await arena.fill(body, Number.MAX_SAFE_INTEGER), LINE_SCHEMA, {
      kernels: arena.kernels,
    });
    sink += view.length;
  });
  const hop1 = await plan("identity");
  const hop4 = await plan("identity,identity,identity,identity");
  const runHops = async (p: ChainPlan) => {
    const result = await runChain(p, decodeBatch(body, LINE_SCHEMA), { segments: executor });
    sink += result.output.length;
    return result;
  };
  const hop = (p: ChainPlan) => () => runHops(p);
  // the memcpy of hops 2-4 of identity×4 alone, as the host timed it (HopTrace.copyMs)
  const hopMemcpyMs = async () => {
    const { hops } = await runHops(hop4);
    const copies = hops.slice(1).map((h) => h.copyMs ?? Number.NaN);
    return copies.reduce((a, b) => a + b, 0) / copies.length;
  };
  add("hop:1", hop(hop1));
  add("hop:4", hop(hop4));
  let words = 0;
  for (const logic of LOGICS) {
    const colwasm = colwasmPipeline(await plan(CHAINS[logic]), executor);
    const typed = typedJsPipeline(logic);
    const jsonFn = jsonPipeline(logic);
    const arrowFn = arrowPipeline(logic);
    const outRows = await checkAgreement(logic, {
      colwasm: (await colwasm(body)).slice(),
      typed: typed(body).slice(),
      json: jsonFn(json),
      arrow: arrowFn(arrow),
    });
    if (logic === "words") words = outRows;
    add(taskId("colwasm", logic), async () => (sink += (await colwasm(body)).byteLength));
    add(taskId("typed-js", logic), () => (sink += typed(body).byteLength));
    add(taskId("arrow", logic), () => (sink += arrowFn(arrow).byteLength));
    add(taskId("json", logic), () => (sink += jsonFn(json).byteLength));
  }
  const perRecord = wanted(taskId("per-record", "single")) ? perRecordFunction() : undefined;
  add(taskId("per-record", "single"), () => {
    if (perRecord === undefined) return;
    sink += runPerRecord(perRecord, body, LINE_SCHEMA).length;
  });
  return {
    bodyBytes: body.byteLength,
    jsonBytes: json.byteLength,
    arrowBytes: arrow.byteLength,
    words,
    tasks,
    hopMemcpyMs,
    sink: () => sink,
  };
}

async function measureSize(rowCount: number, options: InProcessOptions): Promise<SizeResult> {
  const suite = await suiteTasks(rowCount, options);
  const bench = new Bench({
    time: options.timeMs,
    warmupTime: options.warmupMs,
    iterations: options.iterations,
    warmupIterations: Math.max(2, Math.ceil(options.iterations / 4)),
    retainSamples: true,
  });
  for (const task of suite.tasks) bench.add(task.id, task.fn as () => void);
  options.onProgress?.(`in-process: ${rowCount} rows (${bench.tasks.length} tasks)`);
  await bench.run();
  if (suite.sink() < 0) throw new Error("unreachable: keeps results alive");

  const stats = bench.tasks.map((task) => {
    const r = task.result;
    if (r.state !== "completed" && r.state !== "aborted-with-statistics")
      throw new Error(
        `bench task ${task.name} did not complete (${r.state}): ${"error" in r ? String(r.error) : ""}`,
      );
    const s = r.latency.samples ?? [];
    return {
      id: task.name,
      medianMs: r.latency.p50,
      p25Ms: s.length > 0 ? quantile(s, 0.25) : r.latency.min,
      p75Ms: r.latency.p75,
      minMs: r.latency.min,
      maxMs: r.latency.max,
      samples: r.latency.samplesCount,
    };
  });
  const fn = (id: string) => suite.tasks.find((t) => t.id === id)?.fn;
  const [memcpy, hop1, hop4] = [fn("memcpy"), fn("hop:1"), fn("hop:4")];
  let hopRatio: number | undefined;
  let hopMemcpyRatio: number | undefined;
  if (memcpy !== undefined && hop1 !== undefined && hop4 !== undefined) {
    options.onProgress?.(`in-process: ${rowCount} rows, hop in rounds`);
    const [, one, four, memcpyOfHop] = await measureRounds(
      { name: "memcpy", run: memcpy },
      [
        { name: "1 hop", run: hop1 },
        { name: "4 hops", run: hop4 },
        { name: "a hop's memcpy", run: hop4, part: suite.hopMemcpyMs },
      ],
      { rounds: options.iterations >= 10 ? 20 : 8, repeat: 3 },
    );
    hopRatio = (four.ratio - one.ratio) / 3;
    hopMemcpyRatio = memcpyOfHop.ratio;
  }
  const memcpyMs = stats.find((s) => s.id === "memcpy")?.medianMs ?? Number.NaN;
  const tasks = stats.map((s): TaskResult => {
    const [approach, tail] = s.id.split(":") as [Approach, string | undefined];
    const logic =
      tail !== undefined && (LOGICS as readonly string[]).includes(tail) ? (tail as Logic) : undefined;
    const label = taskLabel(s.id);
    return {
      ...s,
      approach,
      logic,
      label,
      rowsPerSec: rowCount / (s.medianMs / 1000),
      ratioToMemcpy: s.medianMs / memcpyMs,
    };
  });
  return {
    rows: rowCount,
    bodyBytes: suite.bodyBytes,
    jsonBytes: suite.jsonBytes,
    arrowBytes: suite.arrowBytes,
    words: suite.words,
    tasks,
    hopRatio,
    hopMemcpyRatio,
  };
}

/** Runs the in-process suite at every size. */
export async function measureInProcess(options: InProcessOptions): Promise<SizeResult[]> {
  const out: SizeResult[] = [];
  for (const size of options.sizes) out.push(await measureSize(size, options));
  return out;
}
