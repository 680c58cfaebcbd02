// Runs operator stages in a sandbox thread (node:worker_threads: Node and Deno) so a runaway loop
// is stopped at its deadline: the thread is terminated and replaced, the process keeps serving.
// Costs one extra copy out of the sandbox per segment; the input is transferred, not copied.
import { Worker } from "node:worker_threads";
import { decodeBatch } from "../columnar/index.ts";
import { ColwasmError, type ProblemType } from "../error.ts";
import {
  type HostedOperator,
  OperatorError,
  type OperatorFailure,
  type OperatorLimits,
} from "../wasm/index.ts";
import type { OperatorStage, SegmentExecutor, SegmentResult } from "./chain-executor.ts";
import type { RunRequest, ThreadMessage, ThreadOperator } from "./thread-protocol.ts";

/** Preload that lets Node 20 threads run our TypeScript sources through tsx. */
export const TSX_PRELOAD = new URL("./tsx-preload.node.mjs", import.meta.url).href;

const STARTUP_MS = 30_000;

interface Sandbox {
  readonly worker: Worker;
  readonly sent: Map<HostedOperator, number>;
  hasKernels: boolean;
}

/** A SegmentExecutor whose WASM runs in a worker thread bounded by `limits.deadlineMs` per stage. */
export class ThreadExecutor implements SegmentExecutor {
  readonly #limits: OperatorLimits;
  readonly #preload: string | undefined;
  readonly #kernelModule: WebAssembly.Module | undefined;
  #sandbox: Sandbox | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #nextId = 1;
  #nextKey = 1;

  /**
   * `preload`: a module URL the thread imports first, e.g. {@link TSX_PRELOAD} on Node.
   * `kernelModule`: compiled validation kernels (dist/kernels/validate.wasm) for operator outputs.
   */
  constructor(limits: OperatorLimits, options: { preload?: string; kernelModule?: WebAssembly.Module } = {}) {
    this.#limits = limits;
    this.#preload = options.preload;
    this.#kernelModule = options.kernelModule;
  }

  #spawn(): Sandbox {
    const worker = new Worker(new URL("./thread-boot.node.mjs", import.meta.url), {
      workerData: { preload: this.#preload },
    });
    worker.unref();
    return { worker, sent: new Map(), hasKernels: false };
  }

  /** Stops the sandbox thread (a new one starts on the next run). */
  async close(): Promise<void> {
    const sandbox = this.#sandbox;
    this.#sandbox = undefined;
    if (sandbox !== undefined) await sandbox.worker.terminate();
  }

  runSegment(stages: readonly OperatorStage[], input: SegmentInput): Promise<SegmentResult> {
    const run = this.#queue.then(() => this.#run(stages, input));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #run(stages: readonly OperatorStage[], input: SegmentInput): Promise<SegmentResult> {
    const sandbox = (this.#sandbox ??= this.#spawn());
    const newOperators: ThreadOperator[] = [];
    const keyed = stages.map((s) => {
      let key = sandbox.sent.get(s.operator);
      if (key === undefined) {
        key = this.#nextKey++;
        sandbox.sent.set(s.operator, key);
        newOperators.push({
          key,
          name: s.operator.name,
          module: s.operator.module,
          manifest: s.operator.manifest,
        });
      }
      return { index: s.index, name: s.name, key };
    });
    const id = this.#nextId++;
    const bytes = input.bytes !== undefined && input.format === "0.1" ? input.bytes : undefined;
    if (bytes === undefined) throw new Error("ThreadExecutor needs a contiguous format-0.1 input batch");
    const request: RunRequest = {
      kernelModule: sandbox.hasKernels ? undefined : this.#kernelModule,
      id,
      limits: this.#limits,
      newOperators,
      stages: keyed,
      // copy: exactly the batch's bytes into a buffer the thread then owns (transferred, not cloned:
      // cloning a view would clone its whole buffer, e.g. a body arena's memory)
      input: { schema: input.schema, format: "0.1", bytes: bytes.slice() },
    };
    sandbox.hasKernels = true;
    return new Promise<SegmentResult>((resolve, reject) => {
      let current = stages[0];
      let timer: ReturnType<typeof setTimeout> | undefined;
      // The deadline runs per stage, from the thread's "hop" message: starting a thread (and
      // loading its code) is not charged to the operator, but is bounded by STARTUP_MS.
      const arm = (ms: number, isStartup: boolean) => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          cleanup();
          this.#sandbox = undefined;
          void sandbox.worker.terminate();
          reject(
            isStartup
              ? new Error(`Sandbox thread did not start within ${STARTUP_MS} ms`)
              : new OperatorError(
                  current.name,
                  "deadline",
                  `Operator "${current.name}" failed: it ran past its deadline of ${this.#limits.deadlineMs} ms`,
                  { stage: current.index },
                ),
          );
        }, ms);
      };
      const onMessage = (message: ThreadMessage) => {
        if (message.id !== id) return;
        if (message.type === "hop") {
          current = stages.find((s) => s.index === message.stage) ?? current;
          arm(this.#limits.deadlineMs, false);
          return;
        }
        cleanup();
        if (message.type === "done") {
          const output = decodeBatch(message.bytes, stages[stages.length - 1].output);
          resolve({ output, hops: message.hops });
        } else {
          reject(toError(message));
        }
      };
      const onError = (error: Error) => {
        cleanup();
        this.#sandbox = undefined;
        reject(error);
      };
      const cleanup = () => {
        clearTimeout(timer);
        sandbox.worker.off("message", onMessage);
        sandbox.worker.off("error", onError);
      };
      sandbox.worker.on("message", onMessage);
      sandbox.worker.on("error", onError);
      arm(STARTUP_MS, true);
      sandbox.worker.postMessage(request, [request.input.bytes.buffer as ArrayBuffer]);
    });
  }
}

type SegmentInput = Parameters<SegmentExecutor["runSegment"]>[1];

function toError(message: Extract<ThreadMessage, { type: "error" }>): Error {
  const p = message.problem;
  if (p === undefined) return new Error(`Sandbox thread failed: ${message.message}`);
  if (p.type === "operator-failed") {
    const operator = typeof p.fields.operator === "string" ? p.fields.operator : "?";
    const reason = (typeof p.fields.reason === "string" ? p.fields.reason : "trap") as OperatorFailure;
    const stage = typeof p.fields.stage === "number" ? p.fields.stage : undefined;
    return new OperatorError(operator, reason, p.message, { stage });
  }
  return new ColwasmError(p.type as ProblemType, p.message, p.fields);
}
