// Sandbox threads on node:worker_threads, for Node (tests, `colwasm exec`, benchmarks).
import { Worker } from "node:worker_threads";
import type { SandboxThread, ThreadMessage } from "./thread-protocol.ts";

/** Preload that lets Node 20 threads run our TypeScript sources through tsx. */
export const TSX_PRELOAD = new URL("./tsx-preload.node.mjs", import.meta.url).href;

/** A factory of worker_threads sandboxes; `preload` is imported first in each (see thread-boot). */
export function nodeSandbox(options: { preload?: string } = {}): () => SandboxThread {
  return () => {
    const worker = new Worker(new URL("./thread-boot.node.mjs", import.meta.url), {
      workerData: { preload: options.preload },
    });
    worker.unref();
    return {
      post: (request, transfer) => worker.postMessage(request, transfer),
      listen(onMessage, onError) {
        const message = (m: ThreadMessage) => onMessage(m);
        worker.on("message", message);
        worker.on("error", onError);
        return () => {
          worker.off("message", message);
          worker.off("error", onError);
        };
      },
      terminate: async () => {
        await worker.terminate();
      },
    };
  };
}
