// The operator registry of the Deno entry: uploads kept in Deno KV, the built-in operators loaded
// from operators/dist, modules compiled by Deno (it may compile at run time, unlike workerd), and
// uploads' manifest examples run in a sandbox thread before they are stored.
import type { SegmentExecutor } from "../../chain/index.ts";
import type { RuntimeLimits } from "../../http/index.ts";
import { checkExamplesIn, RegistryCore } from "../../registry/index.ts";
import { KvOperatorStore } from "./kv-operator-store.deno.ts";
import { loadBuiltins } from "./load-builtins.deno.ts";

/** A RegistryCore over `kv`; `executor` runs the examples of uploads. */
export async function kvRegistry(kv: Deno.Kv, limits: RuntimeLimits, executor: SegmentExecutor) {
  return await RegistryCore.create({
    store: new KvOperatorStore(kv),
    builtins: await loadBuiltins(new URL("../../../operators/dist/", import.meta.url)),
    // a view typed over ArrayBuffer (never shared memory), without copying the module
    compile: (wasm) =>
      WebAssembly.compile(
        wasm.buffer instanceof ArrayBuffer
          ? new Uint8Array(wasm.buffer, wasm.byteOffset, wasm.byteLength)
          : wasm.slice(),
      ),
    limits,
    checkExamples: checkExamplesIn(executor),
    // Deno cannot stop a web Worker that spins (its terminate() leaves the thread running): a
    // runaway must stop itself, so modules spend fuel as on Workers (COLWASM_FUEL)
    meterFuel: true,
  });
}
