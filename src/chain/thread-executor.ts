// Runs operator stages in a sandbox thread so a runaway loop is stopped at its deadline: the thread
// is terminated and replaced, the process keeps serving. The thread API is the runtime's: the
// entry passes a `spawn` (node-sandbox.node.ts for Node, a web Worker sandbox on Deno).
// Costs one extra copy out of the sandbox per segment; the input is transferred, not copied.
import { columnSlices, decodeBatch, encodeSlices } from "../columnar/index.ts";
import { ColwasmError, type ProblemType } from "../error.ts";
import {
  type HostedOperator,
  OperatorError,
  type OperatorFailure,
  type OperatorLimits,
} from "../wasm/index.ts";
import type { OperatorStage, SegmentExecutor, SegmentResult } from "./chain-executor.ts";
import type { RunRequest, SandboxThread, ThreadMessage, ThreadOperator } from "./thread-protocol.ts";

const STARTUP_MS = 30_000;

interface Sandbox {
  readonly thread: SandboxThread;
  readonly sent: Map<HostedOperator, number>;
  hasKernels: boolean;
}

/** A SegmentExecutor whose WASM runs in a worker thread bounded by `limits.deadlineMs` per stage. */
export class ThreadExecutor implements SegmentExecutor {
  readonly #limits: OperatorLimits;
  readonly #spawnThread: () => SandboxThread;
  readonly #kernelModule: WebAssembly.Module | undefined;
  #sandbox: Sandbox | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  /** Segments queued or running on this thread (ThreadPool balances on it). */
  pending = 0;
  #nextId = 1;
  #nextKey = 1;

  /**
   * `spawn` starts a sandbox thread (e.g. `nodeSandbox({ preload: TSX_PRELOAD })` on Node).
   * `kernelModule`: compiled validation kernels (dist/kernels/validate.wasm) for operator outputs.
   */
  constructor(
    limits: OperatorLimits,
    options: { spawn: () => SandboxThread; kernelModule?: WebAssembly.Module },
  ) {
    this.#limits = limits;
    this.#spawnThread = options.spawn;
    this.#kernelModule = options.kernelModule;
  }

  #spawn(): Sandbox {
    return { thread: this.#spawnThread(), sent: new Map(), hasKernels: false };
  }

  /** Stops the sandbox thread (a new one starts on the next run). */
  async close(): Promise<void> {
    const sandbox = this.#sandbox;
    this.#sandbox = undefined;
    if (sandbox !== undefined) await sandbox.thread.terminate();
  }

  runSegment(stages: readonly OperatorStage[], input: SegmentInput): Promise<SegmentResult> {
    this.pending++;
    const run = this.#queue.then(() => this.#run(stages, input)).finally(() => this.pending--);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #run(stages: readonly OperatorStage[], input: SegmentInput): Promise<SegmentResult> {
    const sandbox = (this.#sandbox ??= this.#spawn());
    const newOperators: ThreadOperator[] = [];
    const marked: OperatorStage["operator"][] = []; // marked as sent by this run
    const keyed = stages.map((s) => {
      let key = sandbox.sent.get(s.operator);
      if (key === undefined) {
        key = this.#nextKey++;
        sandbox.sent.set(s.operator, key);
        marked.push(s.operator);
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
    // copy: exactly the batch's bytes, as one format-0.1 body, into a buffer the thread then owns
    // (transferred, not cloned: cloning a view would clone its whole buffer, e.g. a body arena's
    // memory). A 0.12 batch, or a reduce's output (columns, no body), is encoded straight into it.
    const bytes =
      input.bytes !== undefined && input.format === "0.1"
        ? input.bytes.slice()
        : encodeSlices(input.format === "0.1" ? input.slices : columnSlices(input.column, "0.1"), "0.1");
    const request: RunRequest = {
      kernelModule: sandbox.hasKernels ? undefined : this.#kernelModule,
      id,
      limits: this.#limits,
      newOperators,
      stages: keyed,
      input: { schema: input.schema, format: "0.1", bytes },
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
          void sandbox.thread.terminate();
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
          // validated inside the sandbox (against the untrusted operator): frame it, skip the scans
          const output = decodeBatch(message.bytes, stages[stages.length - 1].output, { isTrusted: true });
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
        unlisten();
      };
      const unlisten = sandbox.thread.listen(onMessage, onError);
      arm(STARTUP_MS, true);
      try {
        sandbox.thread.post(request, [request.input.bytes.buffer as ArrayBuffer]);
      } catch (error) {
        // nothing reached the thread: no timer may outlive this call (it would kill the thread
        // under a later request), and the operators it did not receive are not marked as sent
        cleanup();
        for (const operator of marked) sandbox.sent.delete(operator);
        reject(error);
      }
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
