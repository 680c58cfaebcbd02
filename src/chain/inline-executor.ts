// Runs operator stages on the calling thread. Cannot stop a runaway loop by itself: use it where
// the platform bounds CPU (a Worker Loader isolate) or inside a sandbox thread.
import { BatchError } from "../columnar/index.ts";
import {
  CopyMeter,
  type HostedOperator,
  InstancePool,
  OperatorError,
  type OperatorBatch,
  type OperatorInstance,
  type OperatorLimits,
  readBodyInto,
} from "../wasm/index.ts";
import {
  type BodyInput,
  type HopTrace,
  type OperatorStage,
  readBodyBatch,
  type SegmentExecutor,
  type SegmentResult,
} from "./chain-executor.ts";

/** The instance whose memory holds the batch between two hops. */
interface Holder {
  readonly op: HostedOperator;
  readonly instance: OperatorInstance;
}

/**
 * The trace of a hop that ran `stage` on `instance` from `started`: its copies as `meter` counted
 * them (copyMs only when the host made them itself), and what the operator printed.
 */
function hopTrace(
  stage: OperatorStage,
  started: number,
  meter: CopyMeter,
  instance: OperatorInstance,
): HopTrace {
  const printed = instance.printed;
  return {
    stage: stage.index,
    name: stage.name,
    durationMs: performance.now() - started,
    copiedBytes: meter.bytes,
    ...(meter.copies > 0 ? { copyMs: meter.ms } : {}),
    ...(printed === "" ? {} : { printed }),
  };
}

/** Batch goes straight from one module's memory into the next: no intermediate buffer. */
export class InlineExecutor implements SegmentExecutor {
  readonly #pool: InstancePool;
  /** Bodies being read into an operator's memory right now (see runSegmentOnBody). */
  #bodiesInFlight = 0;

  /** `kernelModule`: compiled validation kernels (dist/kernels/validate.wasm) for operator outputs. */
  constructor(limits: OperatorLimits, options: { kernelModule?: WebAssembly.Module } = {}) {
    this.#pool = new InstancePool(limits, options);
  }

  /**
   * Synchronous core, also used by sandbox threads; `onStage` hears of each stage as it starts (a
   * sandbox arms its deadline there).
   */
  runSegmentSync(
    stages: readonly OperatorStage[],
    input: OperatorBatch,
    onStage?: (stage: OperatorStage) => void,
  ): SegmentResult {
    return this.#continue(stages, input, [], undefined, onStage);
  }

  runSegment(stages: readonly OperatorStage[], input: OperatorBatch): Promise<SegmentResult> {
    return Promise.resolve().then(() => this.runSegmentSync(stages, input));
  }

  /**
   * Runs `stages` over a body read straight into the first operator's memory and validated there
   * (its kernels), so the body's one copy is the first hop's: no arena or buffer before it. A
   * malformed body throws its BatchError. While another body is being read in, or for a first
   * operator of the blog ABI, the body is read into a buffer instead and the stages run as usual:
   * concurrent reads would otherwise each hold an instance (and its memory) of their own.
   */
  async runSegmentOnBody(stages: readonly OperatorStage[], body: BodyInput): Promise<SegmentResult> {
    const [first, ...rest] = stages;
    const instance = this.#bodiesInFlight === 0 ? this.#pool.take(first.operator) : undefined;
    if (instance === undefined || !instance.canReserveInput) {
      if (instance !== undefined) this.#pool.give(first.operator, instance);
      return this.runSegmentSync(stages, await readBodyBatch(body));
    }
    const started = performance.now();
    const region = this.#hop(first, () => instance.reserveInput(body.byteLength));
    this.#bodiesInFlight++;
    try {
      await readBodyInto(body.source, region);
    } catch (error) {
      this.#pool.give(first.operator, instance); // the body failed, not the instance
      throw error;
    } finally {
      this.#bodiesInFlight--;
    }
    const meter = new CopyMeter();
    let output: OperatorBatch;
    try {
      output = this.#hop(first, () =>
        instance.runReserved(body.schema, meter, { isTrusted: body.isTrusted }),
      );
    } catch (error) {
      if (error instanceof BatchError) this.#pool.give(first.operator, instance);
      throw error;
    }
    const hop = hopTrace(first, started, meter, instance);
    return this.#continue(rest, output, [hop], { op: first.operator, instance });
  }

  /** Runs `stages` from `batch`, which `holder` (if any) holds until the next hop has copied it. */
  #continue(
    stages: readonly OperatorStage[],
    input: OperatorBatch,
    hops: HopTrace[],
    holder: Holder | undefined,
    onStage?: (stage: OperatorStage) => void,
  ): SegmentResult {
    let batch = input;
    let held = holder;
    for (const stage of stages) {
      onStage?.(stage);
      const meter = new CopyMeter();
      const started = performance.now();
      let instance: OperatorInstance;
      try {
        // taken while `held` is still out: a stage repeating the previous operator gets its own
        // instance; a new one runs the module's start function, whose failure is this stage's
        instance = this.#hop(stage, () => this.#pool.take(stage.operator));
        batch = this.#hop(stage, () => instance.run(batch, meter));
      } finally {
        // the failed instance is dropped; the one holding its input did nothing wrong
        if (held !== undefined) this.#pool.give(held.op, held.instance);
      }
      held = { op: stage.operator, instance };
      hops.push(hopTrace(stage, started, meter, instance));
    }
    // the output stays valid until this instance is taken again
    if (held !== undefined) this.#pool.give(held.op, held.instance);
    return { output: batch, hops };
  }

  /** Calls into a stage's instance, tagging its OperatorErrors with the stage. */
  #hop<T>(stage: OperatorStage, call: () => T): T {
    try {
      return call();
    } catch (error) {
      if (error instanceof OperatorError) error.fields.stage = stage.index;
      throw error;
    }
  }

  /** Drops every idle instance. */
  clear(): void {
    this.#pool.clear();
  }

  /** Drops the idle instances of `op` (it will not run again). */
  forget(op: HostedOperator): void {
    this.#pool.forget(op);
  }
}
