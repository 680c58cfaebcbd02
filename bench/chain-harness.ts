// Measures chains of built operators against memcpy of the same bytes and against one WASM call
// per record (issue #4 goals), as medians and ratios in one run. Sized by its caller so a test can
// run it on tiny inputs.
import { Bench } from "tinybench";
import { columnBuilder, encodeBatch, parseSchema } from "../src/columnar/index.ts";
import { InlineExecutor, parseChain, planChain, runChain } from "../src/chain/index.ts";
import { DEFAULT_OPERATOR_LIMITS, type HostedOperator } from "../src/wasm/index.ts";
import { perRecordFunction, runPerRecord } from "./bench-wasm.ts";
import { wordRows } from "./word-rows.ts";

const SCHEMA = parseSchema("(String, i64)");

/** One measured task: median ms and ratio to memcpy. */
export interface ChainBenchTask {
  readonly name: string;
  readonly medianMs: number;
  readonly ratioToMemcpy: number;
}

/** Result of one run. */
export interface ChainBenchReport {
  readonly rows: number;
  readonly bodyBytes: number;
  readonly tasks: readonly ChainBenchTask[];
  /** Derived figures the goals are stated in (fixed cost: body into the first operator + validation + answer). */
  readonly hopRatio: number;
  readonly fixedCostRatio: number;
  readonly perRecordSpeedup: number;
}

/**
 * Word rows where every operator of the chain has work: one text in 25 is empty (filter_nonempty
 * drops it) and one in 8 is capitalized (lowercase rewrites it).
 */
export function chainRows(count: number): [string, number][] {
  return wordRows(count).map(([text, diff], i): [string, number] => {
    if (i % 25 === 24) return ["", diff];
    if (i % 8 === 0) return [text.charAt(0).toUpperCase() + text.slice(1), diff];
    return [text, diff];
  });
}

/** Runs the chain benchmark at `rows` rows; `operators` resolves built operators by name. */
export async function measureChain(options: {
  rows: number;
  operators: (name: string) => HostedOperator;
  /** The validation kernels (dist/kernels/validate.wasm). */
  kernelModule: WebAssembly.Module;
  timeMs?: number;
}): Promise<ChainBenchReport> {
  const builder = columnBuilder(SCHEMA);
  chainRows(options.rows).forEach((row, i) => builder.push(row, i));
  const body = encodeBatch(builder.finish());
  const target = new Uint8Array(body.byteLength);
  const executor = new InlineExecutor(DEFAULT_OPERATOR_LIMITS, { kernelModule: options.kernelModule });
  const resolver = { resolve: async (name: string) => options.operators(name) };
  const plans = {
    identity: await planChain(parseChain("identity"), SCHEMA, resolver),
    identity2: await planChain(parseChain("identity,identity"), SCHEMA, resolver),
    single: await planChain(parseChain("len_plus_diff"), SCHEMA, resolver),
    four: await planChain(parseChain("lowercase,filter_nonempty,len_plus_diff,identity"), SCHEMA, resolver),
    words: await planChain(parseChain("split_words,lowercase"), SCHEMA, resolver),
  };
  const wasmMemory = new WebAssembly.Memory({ initial: Math.ceil(body.byteLength / 65536) + 1 });
  // the per-record ABI of peers: each record marshalled into the module's memory, one call each
  const perRecord = perRecordFunction();
  let sink = 0;
  // The body is read straight into the first operator's memory and validated there by the kernels
  // (InlineExecutor.runSegmentOnBody), as a Workers runner isolate reads its request.
  const endToEnd = async (plan: typeof plans.single) => {
    const input = { source: body, byteLength: body.byteLength, schema: SCHEMA };
    const result = await runChain(plan, input, { segments: executor });
    // The response is answered from a view of the last module's memory: no copy-out here.
    sink += result.output.bytes?.byteLength ?? 0;
  };

  const bench = new Bench({
    time: options.timeMs ?? 500,
    warmupTime: 100,
    iterations: 10,
    warmupIterations: 5,
  });
  bench
    .add("memcpy", () => target.set(body)) // copy: the physical limit
    .add("copy into WASM memory", () => new Uint8Array(wasmMemory.buffer).set(body)) // copy: measured
    .add("identity (1 hop)", () => endToEnd(plans.identity))
    .add("identity,identity (2 hops)", () => endToEnd(plans.identity2))
    .add("len_plus_diff end to end", () => endToEnd(plans.single))
    .add("chain of 4 (lowercase,filter_nonempty,len_plus_diff,identity)", () => endToEnd(plans.four))
    .add("split_words,lowercase", () => endToEnd(plans.words))
    .add("one WASM call per record (len_plus_diff)", () => {
      sink += runPerRecord(perRecord, body, SCHEMA).length;
    });
  await bench.run();
  if (sink < 0) throw new Error("unreachable: keeps results alive");
  const median = (name: string) => {
    const r = bench.getTask(name)?.result;
    if (r === undefined || (r.state !== "completed" && r.state !== "aborted-with-statistics"))
      throw new Error(`task ${name} failed`);
    return r.latency.p50;
  };
  const memcpy = median("memcpy");
  const tasks = bench.tasks.map((t) => ({
    name: t.name,
    medianMs: median(t.name),
    ratioToMemcpy: median(t.name) / memcpy,
  }));
  const hop = median("identity,identity (2 hops)") - median("identity (1 hop)");
  return {
    rows: options.rows,
    bodyBytes: body.byteLength,
    tasks,
    hopRatio: hop / memcpy,
    fixedCostRatio: (median("identity (1 hop)") - hop) / memcpy,
    perRecordSpeedup: median("one WASM call per record (len_plus_diff)") / median("len_plus_diff end to end"),
  };
}
