// What runs inside a sandbox thread, whatever the thread API: operator stages inline (one memcpy
// per hop, outputs validated by the WASM kernels), so that the host can terminate the thread when
// a deadline passes while its own thread keeps serving. It keeps the operators the host has sent
// until the host tells it to forget them (the host bounds how many: thread-executor.ts).
import { decodeBatch, encodeSlices } from "../columnar/index.ts";
import { ColwasmError } from "../error.ts";
import type { HostedOperator } from "../wasm/index.ts";
import type { OperatorStage } from "./chain-executor.ts";
import { InlineExecutor } from "./inline-executor.ts";
import type { RunRequest, SandboxPort } from "./thread-protocol.ts";

/** Serves run requests arriving on `port` until the thread is terminated. */
export function serveSandbox(port: SandboxPort): void {
  const operators = new Map<number, HostedOperator>();
  let executor: InlineExecutor | undefined;

  port.listen((request: RunRequest) => {
    try {
      for (const key of request.forget) {
        const operator = operators.get(key);
        operators.delete(key);
        if (operator !== undefined) executor?.forget(operator); // its idle instances, with their memories
      }
      for (const op of request.newOperators)
        operators.set(op.key, { name: op.name, module: op.module, manifest: op.manifest });
      executor ??= new InlineExecutor(request.limits, { kernelModule: request.kernelModule });
      // The host validated these bytes before handing them over: frame them, skip the scans.
      const input = decodeBatch(request.input.bytes, request.input.schema, {
        format: request.input.format,
        isTrusted: true,
      });
      const stages = request.stages.map((s): OperatorStage => {
        const operator = operators.get(s.key);
        if (operator === undefined) throw new Error(`sandbox: operator ${s.key} was never sent`);
        const { input: takes, output } = operator.manifest;
        return { kind: "operator", index: s.index, name: s.name, operator, input: takes, output };
      });
      // one segment, so a stage repeating the previous operator gets its own instance
      const { output: batch, hops } = executor.runSegmentSync(stages, input, (stage) =>
        port.post({ type: "hop", id: request.id, stage: stage.index, name: stage.name }, []),
      );
      // copy-out: the one copy that leaves the sandbox; the buffer is transferred, not cloned.
      let out: Uint8Array;
      if (batch.bytes !== undefined && batch.format === "0.1") {
        out = new Uint8Array(batch.bytes.byteLength);
        out.set(batch.bytes);
      } else {
        out = encodeSlices(batch.slices, "0.1");
      }
      port.post({ type: "done", id: request.id, bytes: out, hops }, [out.buffer as ArrayBuffer]);
    } catch (error) {
      const problem =
        error instanceof ColwasmError
          ? { type: error.type, message: error.message, fields: { ...error.fields } }
          : undefined;
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      port.post({ type: "error", id: request.id, problem, message }, []);
    }
  });
}
