// The Deno entry's executors: one web Worker sandbox per core (concurrent requests run in
// parallel, each stoppable at its deadline), and up to twice as many spares while those are all
// busy, validating operator output with the WASM kernels; chains try small batches on the main
// thread first (InlineFirstExecutor: a thread round trip costs more than their whole chain).
import { InlineExecutor, ThreadExecutor, ThreadPool } from "../../chain/index.ts";
import { DetachedInlineExecutor, InlineFirstExecutor } from "../../registry/index.ts";
import { fuelForDeadline, type OperatorLimits } from "../../wasm/index.ts";
import { webWorkerSandbox } from "./web-worker-sandbox.deno.ts";

/** Inputs up to this size are tried on the main thread. */
export const INLINE_MAX_BYTES = 64 * 1024;
/** The main thread's time an inline call may take, as fuel: past it, the segment goes to a thread. */
export const INLINE_CALL_MS = 2;

/** How long a spare sandbox thread may idle before it stops. */
const SPARE_IDLE_MS = 10_000;

/**
 * A ThreadPool of web Worker sandboxes (`executor`: uploads' examples run there), the executor of
 * chains (`chains`: small batches inline first, see InlineFirstExecutor) and the compiled
 * validation kernels.
 */
export async function denoSandboxPool(
  limits: OperatorLimits,
  kernelUrl: URL,
): Promise<{ executor: ThreadPool; chains: InlineFirstExecutor; kernelModule: WebAssembly.Module }> {
  const kernelModule = await WebAssembly.compile(await Deno.readFile(kernelUrl));
  const cores = Math.max(1, navigator.hardwareConcurrency);
  const thread = () => new ThreadExecutor(limits, { spawn: webWorkerSandbox(), kernelModule });
  const threads = Array.from({ length: cores }, thread);
  // spares for when every core thread is busy (runaway loops until their deadlines)
  const spares = { spawn: thread, max: 2 * cores, idleMs: SPARE_IDLE_MS };
  const executor = new ThreadPool(threads, { spares });
  const inlineFuel = Math.min(limits.fuel ?? Infinity, fuelForDeadline(INLINE_CALL_MS));
  const inline = new InlineExecutor({ ...limits, fuel: inlineFuel }, { kernelModule });
  const chains = new InlineFirstExecutor({
    inline: new DetachedInlineExecutor(inline),
    fallback: executor,
    maxInlineBytes: INLINE_MAX_BYTES,
  });
  return { executor, chains, kernelModule };
}
