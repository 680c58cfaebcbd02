// Built operators (operators/dist) read from disk and prepared the way the registry does (memory
// capped to the suite's limits), and the host's validation kernels.
import { readFileSync } from "node:fs";
import { capModuleLimits, type HostedOperator, prepareOperator } from "../src/wasm/index.ts";
import { BENCH_LIMITS } from "./bench-wasm.ts";

export {
  BENCH_LIMITS,
  PER_RECORD_SCRATCH,
  PER_RECORD_WASM,
  perRecordFunction,
  runPerRecord,
} from "./bench-wasm.ts";

const cache = new Map<string, HostedOperator>();
let kernels: WebAssembly.Module | undefined;

/**
 * The host's validation kernels (dist/kernels/validate.wasm, built by `npm run build:operators`):
 * every runtime validates operator output with them, so the suite does too.
 */
export function kernelModule(): WebAssembly.Module {
  kernels ??= new WebAssembly.Module(readFileSync(new URL("../dist/kernels/validate.wasm", import.meta.url)));
  return kernels;
}

/** A built operator by name (cached). */
export function builtOperator(name: string): HostedOperator {
  let op = cache.get(name);
  if (op === undefined) {
    const wasm = readFileSync(new URL(`../operators/dist/${name}.wasm`, import.meta.url));
    op = prepareOperator(name, new WebAssembly.Module(capModuleLimits(wasm, BENCH_LIMITS.maxMemoryPages)));
    cache.set(name, op);
  }
  return op;
}
