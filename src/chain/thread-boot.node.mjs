// Entry of the sandbox thread. Plain JS because Node 20 resolves a worker's main file before any
// TypeScript loader applies and ignores `--import` in worker execArgv: the caller may name a
// preload module (e.g. tsx-preload.node.mjs) that installs one; Deno runs TypeScript natively.
import { workerData } from "node:worker_threads";

if (workerData?.preload) await import(workerData.preload);
await import("./thread-worker.node.ts");
