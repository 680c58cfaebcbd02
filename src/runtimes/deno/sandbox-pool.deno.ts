// The Deno entry's executor: one web Worker sandbox per core (concurrent requests run in parallel,
// each stoppable at its deadline), and up to twice as many spares while those are all busy,
// validating operator output with the WASM kernels.
import { ThreadExecutor, ThreadPool } from "../../chain/index.ts";
import type { OperatorLimits } from "../../wasm/index.ts";
import { webWorkerSandbox } from "./web-worker-sandbox.deno.ts";

/** How long a spare sandbox thread may idle before it stops. */
const SPARE_IDLE_MS = 10_000;

/** A ThreadPool of web Worker sandboxes and the compiled validation kernels. */
export async function denoSandboxPool(
  limits: OperatorLimits,
  kernelUrl: URL,
): Promise<{ executor: ThreadPool; kernelModule: WebAssembly.Module }> {
  const kernelModule = await WebAssembly.compile(await Deno.readFile(kernelUrl));
  const cores = Math.max(1, navigator.hardwareConcurrency);
  const thread = () => new ThreadExecutor(limits, { spawn: webWorkerSandbox(), kernelModule });
  const threads = Array.from({ length: cores }, thread);
  // spares for when every core thread is busy (runaway loops until their deadlines)
  const spares = { spawn: thread, max: 2 * cores, idleMs: SPARE_IDLE_MS };
  return { executor: new ThreadPool(threads, { spares }), kernelModule };
}
