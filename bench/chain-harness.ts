// Measures chains of built operators against memcpy of the same bytes and against one WASM call
// per record (issue #4 goals), as ratios measured in rounds (bench/ratio-rounds.ts) in one run.
// Sized by its caller so a test can run it on tiny inputs.
import { columnBuilder, decodeBatch, encodeBatch, parseSchema } from "../src/columnar/index.ts";
import { InlineExecutor, parseChain, planChain, runChain } from "../src/chain/index.ts";
import { bindValidationKernels, DEFAULT_OPERATOR_LIMITS, type HostedOperator } from "../src/wasm/index.ts";
import { perRecordFunction, runPerRecord } from "./bench-wasm.ts";
import { measureRounds } from "./ratio-rounds.ts";
import { wordRows } from "./word-rows.ts";

const SCHEMA = parseSchema("(String, i64)");

/** One measured task: median ms and ratio to memcpy. */
export interface ChainBenchTask {
  readonly name: string;
  readonly medianMs: number;
  readonly ratioToMemcpy: number;
}

/** Result of one run; the derived figures are the ones issue #4 states its goals in. */
export interface ChainBenchReport {
  readonly rows: number;
  readonly bodyBytes: number;
  readonly tasks: readonly ChainBenchTask[];
  /** One more hop (identity,identity − identity): the copy into the next module + validating its output. */
  readonly hopRatio: number;
  /** What validating one operator output in place costs (the "validate in place" task). */
  readonly validationRatio: number;
  /** The hop without its output validation: the one memcpy and the host's calls and bookkeeping. */
  readonly hopCopyRatio: number;
  /** The hop's one memcpy alone, between two modules' memories, as the host timed it in a chain. */
  readonly hopMemcpyRatio: number;
  /** A chain's cost beyond its operators' work: identity end to end (body in, 2 validations, answer from a view). */
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
  /** Rounds measured (after `warmup` more), each timing every task `repeat` times (defaults 30, 5, 2). */
  rounds?: number;
  repeat?: number;
  warmup?: number;
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
  const otherMemory = new WebAssembly.Memory({ initial: Math.ceil(body.byteLength / 65536) + 2 });
  new Uint8Array(wasmMemory.buffer).set(body);
  const inMemory = new Uint8Array(wasmMemory.buffer, 0, body.byteLength);
  const kernels = bindValidationKernels(options.kernelModule, wasmMemory);
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
    return result;
  };

  const results = await measureRounds(
    { name: "memcpy", run: () => target.set(body) }, // copy: the physical limit
    [
      { name: "copy into WASM memory", run: () => new Uint8Array(wasmMemory.buffer).set(body) }, // copy: measured
      { name: "copy between two WASM memories", run: () => new Uint8Array(otherMemory.buffer).set(inMemory) }, // copy: measured
      // copy: measured, at the distance a hop's input is placed from its source (src/wasm/copy-placement.ts)
      {
        name: "copy between two WASM memories, placed (3 KiB on, mod 4 KiB)",
        run: () => new Uint8Array(otherMemory.buffer).set(inMemory, 3072),
      },
      {
        name: "validate in place (WASM kernels)",
        run: () => (sink += decodeBatch(inMemory, SCHEMA, { kernels }).length),
      },
      { name: "identity (1 hop)", run: () => endToEnd(plans.identity) },
      { name: "identity,identity (2 hops)", run: () => endToEnd(plans.identity2) },
      {
        name: "the second hop's memcpy inside identity,identity (timed by the host)",
        run: () => endToEnd(plans.identity2),
        part: async () => {
          const copyMs = (await endToEnd(plans.identity2)).hops[1]?.copyMs;
          if (copyMs === undefined) throw new Error("the second hop reported no memcpy time");
          return copyMs;
        },
      },
      { name: "len_plus_diff end to end", run: () => endToEnd(plans.single) },
      {
        name: "chain of 4 (lowercase,filter_nonempty,len_plus_diff,identity)",
        run: () => endToEnd(plans.four),
      },
      { name: "split_words,lowercase", run: () => endToEnd(plans.words) },
      {
        name: "one WASM call per record (len_plus_diff)",
        run: () => (sink += runPerRecord(perRecord, body, SCHEMA).length),
      },
    ],
    { rounds: options.rounds ?? 30, repeat: options.repeat ?? 5, warmup: options.warmup },
  );
  if (sink < 0) throw new Error("unreachable: keeps results alive");
  const ratio = (name: string) => {
    const r = results.find((t) => t.name === name);
    if (r === undefined) throw new Error(`no task ${name}`);
    return r.ratio;
  };
  const hop = ratio("identity,identity (2 hops)") - ratio("identity (1 hop)");
  const validation = ratio("validate in place (WASM kernels)");
  return {
    rows: options.rows,
    bodyBytes: body.byteLength,
    tasks: results.map((r) => ({ name: r.name, medianMs: r.medianMs, ratioToMemcpy: r.ratio })),
    hopRatio: hop,
    validationRatio: validation,
    hopCopyRatio: hop - validation,
    hopMemcpyRatio: ratio("the second hop's memcpy inside identity,identity (timed by the host)"),
    fixedCostRatio: ratio("identity (1 hop)"),
    perRecordSpeedup: ratio("one WASM call per record (len_plus_diff)") / ratio("len_plus_diff end to end"),
  };
}
