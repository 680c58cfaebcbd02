// The sandbox thread on node:worker_threads (Node; Deno provides it too but its round trips cost
// ~1.6 ms there, so the Deno entry uses web Workers: src/runtimes/deno/web-worker-sandbox.deno.ts).
import { parentPort } from "node:worker_threads";
import { serveSandbox } from "./sandbox-runner.ts";
import type { RunRequest } from "./thread-protocol.ts";

const port = parentPort;
if (port === null) throw new Error("thread-worker must run in a worker thread");
serveSandbox({
  post: (message, transfer) => port.postMessage(message, transfer),
  listen: (onRequest) => port.on("message", (request: RunRequest) => onRequest(request)),
});
