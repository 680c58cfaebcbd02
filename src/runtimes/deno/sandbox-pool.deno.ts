// The Deno entry's executor: one web Worker sandbox per core (concurrent requests run in parallel,
// each stoppable at its deadline), validating operator output with the WASM kernels.
import { ThreadExecutor, ThreadPool } from "../../chain/index.ts";
import type { OperatorLimits } from "../../wasm/index.ts";
import { webWorkerSandbox } from "./web-worker-sandbox.deno.ts";

/** A ThreadPool of web Worker sandboxes and the compiled validation kernels. */
export async function denoSandboxPool(
  limits: OperatorLimits,
  kernelUrl: URL,
): Promise<{ executor: ThreadPool; kernelModule: WebAssembly.Module }> {
  const kernelModule = await WebAssembly.compile(await Deno.readFile(kernelUrl));
  const threads = Array.from(
    { length: Math.max(1, navigator.hardwareConcurrency) },
    () => new ThreadExecutor(limits, { spawn: webWorkerSandbox(), kernelModule }),
  );
  return { executor: new ThreadPool(threads), kernelModule };
}
