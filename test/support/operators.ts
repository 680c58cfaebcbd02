// Loads the operators built by `operators/build.ts` (examples, WAT, hostile fixtures) as
// HostedOperators, the way a registry would: memory capped, manifest read, exports checked.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { OperatorResolver } from "../../src/chain/index.ts";
import {
  capModuleLimits,
  type HostedOperator,
  instrumentOperator,
  type OperatorLimits,
  prepareOperator,
} from "../../src/wasm/index.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Limits small enough for tests to hit quickly. */
export const TEST_LIMITS: OperatorLimits = {
  deadlineMs: 1000,
  maxMemoryPages: 512,
  maxOutputBytes: 16 * 1024 * 1024,
};

/** Bytes of a built module: an example operator or a test fixture. */
export function builtWasm(name: string, kind: "operator" | "fixture" = "operator"): Uint8Array {
  const dir = kind === "operator" ? "operators/dist" : "test/fixtures/wasm/dist";
  return readFileSync(`${ROOT}${dir}/${name}.wasm`);
}

/** A built module compiled and prepared as a registry would. */
export function loadOperator(
  name: string,
  options: { kind?: "operator" | "fixture"; limits?: OperatorLimits } = {},
): HostedOperator {
  const limits = options.limits ?? TEST_LIMITS;
  // as the registry does: memory capped, memory.grow watched
  const bytes = instrumentOperator(capModuleLimits(builtWasm(name, options.kind), limits.maxMemoryPages), {
    fuel: false,
  });
  return prepareOperator(name, new WebAssembly.Module(bytes));
}

/** A resolver over a fixed set of operators. */
export function resolverOf(ops: readonly HostedOperator[]): OperatorResolver & { resolved: string[] } {
  const byName = new Map(ops.map((o) => [o.name, o]));
  const resolved: string[] = [];
  return {
    resolved,
    async resolve(name) {
      const op = byName.get(name);
      if (op === undefined) throw new Error(`test resolver: no operator ${name}`);
      resolved.push(name);
      return op;
    },
  };
}

/** The host's validation kernels (dist/kernels/validate.wasm, built by operators/build.ts). */
export function kernelModule(): WebAssembly.Module {
  return new WebAssembly.Module(readFileSync(`${ROOT}dist/kernels/validate.wasm`));
}
