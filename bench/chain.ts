// `node --import tsx bench/chain.ts [--quick]`: the chain benchmark at 100k rows of (String, i64),
// printed as a Markdown table of ratios to memcpy and written to bench/results/chain.json.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import {
  capModuleLimits,
  DEFAULT_OPERATOR_LIMITS,
  type HostedOperator,
  prepareOperator,
} from "../src/wasm/index.ts";
import { measureChain } from "./chain-harness.ts";

const root = new URL("../", import.meta.url);
const cache = new Map<string, HostedOperator>();
function builtOperator(name: string): HostedOperator {
  let op = cache.get(name);
  if (op === undefined) {
    const wasm = readFileSync(new URL(`operators/dist/${name}.wasm`, root));
    const bytes = capModuleLimits(wasm, DEFAULT_OPERATOR_LIMITS.maxMemoryPages);
    op = prepareOperator(name, new WebAssembly.Module(bytes));
    cache.set(name, op);
  }
  return op;
}

const quick = process.argv.includes("--quick");
const kernelModule = new WebAssembly.Module(readFileSync(new URL("dist/kernels/validate.wasm", root)));
const report = await measureChain({
  rows: 100_000,
  operators: builtOperator,
  kernelModule,
  // ~7 s: long enough that the median spans the seconds-long spells in which this shared machine's
  // compute slows more than its memcpy (30 rounds, ~3 s, often fell inside one)
  rounds: quick ? 8 : 100,
});
const ratioOf = (name: string) => report.tasks.find((t) => t.name.startsWith(name))?.ratioToMemcpy ?? NaN;
const verdict = (value: number, goal: number, atMost: boolean) =>
  (atMost ? value <= goal : value >= goal) ? "pass" : "MISS";
const lines = [
  `## Chain at ${report.rows} rows of (String, i64) (1 in 25 empty, 1 in 8 capitalized), ${(report.bodyBytes / 1e6).toFixed(2)} MB`,
  "",
  "Medians over rounds; each ratio compares a task with a memcpy of the same bytes timed just before it.",
  "",
  "| task | median | × memcpy |",
  "|---|---:|---:|",
  ...report.tasks.map(
    (t) => `| ${t.name} | ${(t.medianMs * 1000).toFixed(1)} µs | ${t.ratioToMemcpy.toFixed(2)} |`,
  ),
  "",
  `- one hop, its memcpy from one module's memory into the next (timed by the host inside identity,identity): ${report.hopMemcpyRatio.toFixed(2)}× (goal ≤ 1.2×: ${verdict(report.hopMemcpyRatio, 1.2, true)})`,
  `- one hop as a whole (identity,identity − identity): ${report.hopRatio.toFixed(2)}× = the memcpy with the host's calls and bookkeeping ${report.hopCopyRatio.toFixed(2)}× + validating the operator's output ${report.validationRatio.toFixed(2)}× (required: every output is validated like an untrusted body)`,
  `- fixed cost of a chain (identity end to end: body into the first operator, validated there, output validated, answered from a view): ${report.fixedCostRatio.toFixed(2)}× (goal ≤ 4×: ${verdict(report.fixedCostRatio, 4, true)})`,
  `- len_plus_diff end to end: ${ratioOf("len_plus_diff end").toFixed(2)}× (goal ≤ 4×: ${verdict(ratioOf("len_plus_diff end"), 4, true)})`,
  `- chain of 4: ${ratioOf("chain of 4").toFixed(2)}× (goal ≤ 12×: ${verdict(ratioOf("chain of 4"), 12, true)})`,
  `- columnar len_plus_diff vs one WASM call per record: ${report.perRecordSpeedup.toFixed(1)}× faster (goal ≥ 30×: ${verdict(report.perRecordSpeedup, 30, false)})`,
];
console.log(lines.join("\n"));
mkdirSync(new URL("bench/results/", root), { recursive: true });
writeFileSync(new URL("bench/results/chain.json", root), JSON.stringify(report, null, 2) + "\n");
