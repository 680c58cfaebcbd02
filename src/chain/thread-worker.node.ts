// The sandbox thread (node:worker_threads, also provided by Deno): runs operator stages inline so
// that the main thread can terminate it when a deadline passes; the main thread keeps serving.
import { parentPort } from "node:worker_threads";
import { decodeBatch, encodeSlices } from "../columnar/index.ts";
import { ColwasmError } from "../error.ts";
import type { HostedOperator } from "../wasm/index.ts";
import type { OperatorStage } from "./chain-executor.ts";
import { InlineExecutor } from "./inline-executor.ts";
import type { RunRequest, ThreadMessage } from "./thread-protocol.ts";

const port = parentPort;
if (port === null) throw new Error("thread-worker must run in a worker thread");

const operators = new Map<number, HostedOperator>();
let executor: InlineExecutor | undefined;

port.on("message", (request: RunRequest) => {
  const post = (message: ThreadMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  try {
    for (const op of request.newOperators)
      operators.set(op.key, { name: op.name, module: op.module, manifest: op.manifest });
    executor ??= new InlineExecutor(request.limits, { kernelModule: request.kernelModule });
    const input = decodeBatch(request.input.bytes, request.input.schema, { format: request.input.format });
    const stages = request.stages.map((s): OperatorStage => {
      const operator = operators.get(s.key);
      if (operator === undefined) throw new Error(`thread-worker: operator ${s.key} was never sent`);
      const { input: takes, output } = operator.manifest;
      return { kind: "operator", index: s.index, name: s.name, operator, input: takes, output };
    });
    const hops = [];
    let batch: Parameters<InlineExecutor["runSegmentSync"]>[1] = input;
    for (const stage of stages) {
      post({ type: "hop", id: request.id, stage: stage.index, name: stage.name });
      const result = executor.runSegmentSync([stage], batch);
      hops.push(...result.hops);
      batch = result.output;
    }
    // copy-out: the one copy that leaves the sandbox; the buffer is transferred, not cloned.
    let out: Uint8Array;
    if (batch.bytes !== undefined && batch.format === "0.1") {
      out = new Uint8Array(batch.bytes.byteLength);
      out.set(batch.bytes);
    } else {
      out = encodeSlices(batch.slices, "0.1");
    }
    post({ type: "done", id: request.id, bytes: out, hops }, [out.buffer as ArrayBuffer]);
  } catch (error) {
    const problem =
      error instanceof ColwasmError
        ? { type: error.type, message: error.message, fields: { ...error.fields } }
        : undefined;
    post({
      type: "error",
      id: request.id,
      problem,
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
});
