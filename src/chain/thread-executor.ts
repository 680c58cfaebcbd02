// Runs operator stages in a sandbox thread so a runaway loop is stopped at its deadline: the thread
// is terminated and replaced, the process keeps serving. The thread API is the runtime's: the
// entry passes a `spawn` (node-sandbox.node.ts for Node, a web Worker sandbox on Deno).
// Costs one extra copy out of the sandbox per segment; the input is transferred, not copied.
// Each operator is sent to a thread once, and the thread keeps only the most recently run ones.
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

/**
 * Operators a sandbox thread keeps, most recently run (as a Workers runner keeps its names): every
 * re-upload is a new operator with its own compiled module, which a long-lived thread would
 * otherwise hold for good.
 */
const MAX_SANDBOX_OPERATORS = 64;

interface Sandbox {
  readonly thread: SandboxThread;
  /** Operators the thread holds, by key, least recently run first. */
  readonly sent: Map<HostedOperator, number>;
  /** Keys dropped from `sent` that the thread has not yet been told to forget. */
  forget: number[];
  hasKernels: boolean;
}

/** A SegmentExecutor whose WASM runs in a worker thread bounded by `limits.deadlineMs` per stage. */
export class ThreadExecutor implements SegmentExecutor {
  readonly #limits: OperatorLimits;
  readonly #spawnThread: () => SandboxThread;
  readonly #kernelModule: WebAssembly.Module | undefined;
  readonly #maxOperators: number;
  #sandbox: Sandbox | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  /** Segments queued or running on this thread (ThreadPool balances on it). */
  pending = 0;
  #nextId = 1;
  #nextKey = 1;

  /**
   * `spawn` starts a sandbox thread (e.g. `nodeSandbox({ preload: TSX_PRELOAD })` on Node).
   * `kernelModule`: compiled validation kernels (dist/kernels/validate.wasm) for operator outputs.
   * `maxOperators`: operators the thread keeps (MAX_SANDBOX_OPERATORS); a run needing more keeps them all.
   */
  constructor(
    limits: OperatorLimits,
    options: { spawn: () => SandboxThread; kernelModule?: WebAssembly.Module; maxOperators?: number },
  ) {
    this.#limits = limits;
    this.#spawnThread = options.spawn;
    this.#kernelModule = options.kernelModule;
    this.#maxOperators = options.maxOperators ?? MAX_SANDBOX_OPERATORS;
  }

  #spawn(): Sandbox {
    return { thread: this.#spawnThread(), sent: new Map(), forget: [], hasKernels: false };
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
        marked.push(s.operator);
        newOperators.push({
          key,
          name: s.operator.name,
          module: s.operator.module,
          manifest: s.operator.manifest,
        });
      }
      sandbox.sent.delete(s.operator);
      sandbox.sent.set(s.operator, key); // most recently run last
      return { index: s.index, name: s.name, key };
    });
    // past the bound, the least recently run go, never one this run needs
    const needed = new Set(stages.map((s) => s.operator));
    for (const [operator, key] of sandbox.sent) {
      if (sandbox.sent.size <= this.#maxOperators) break;
      if (needed.has(operator)) continue;
      sandbox.sent.delete(operator);
      sandbox.forget.push(key);
    }
    const forget = sandbox.forget;
    sandbox.forget = [];
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
      forget,
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
        // under a later request), the operators and kernels it did not receive are not marked as
        // sent, and it still has to hear which operators to forget
        cleanup();
        for (const operator of marked) sandbox.sent.delete(operator);
        sandbox.forget.push(...forget);
        if (request.kernelModule !== undefined) sandbox.hasKernels = false;
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
