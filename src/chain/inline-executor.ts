// Runs operator stages on the calling thread. Cannot stop a runaway loop by itself: use it where
// the platform bounds CPU (a Worker Loader isolate) or inside a sandbox thread.
import {
  CopyMeter,
  InstancePool,
  OperatorError,
  type OperatorBatch,
  type OperatorLimits,
} from "../wasm/index.ts";
import type { HopTrace, OperatorStage, SegmentExecutor, SegmentResult } from "./chain-executor.ts";

/** Batch goes straight from one module's memory into the next: no intermediate buffer. */
export class InlineExecutor implements SegmentExecutor {
  readonly #pool: InstancePool;

  /** `kernelModule`: compiled validation kernels (dist/kernels/validate.wasm) for operator outputs. */
  constructor(limits: OperatorLimits, options: { kernelModule?: WebAssembly.Module } = {}) {
    this.#pool = new InstancePool(limits, options);
  }

  /** Synchronous core, also used by sandbox threads. */
  runSegmentSync(stages: readonly OperatorStage[], input: OperatorBatch): SegmentResult {
    const hops: HopTrace[] = [];
    let batch = input;
    for (const stage of stages) {
      const meter = new CopyMeter();
      const started = performance.now();
      try {
        batch = this.#pool.run(stage.operator, batch, meter);
      } catch (error) {
        if (error instanceof OperatorError) error.fields.stage = stage.index;
        throw error;
      }
      hops.push({
        stage: stage.index,
        name: stage.name,
        durationMs: performance.now() - started,
        copiedBytes: meter.bytes,
      });
    }
    return { output: batch, hops };
  }

  runSegment(stages: readonly OperatorStage[], input: OperatorBatch): Promise<SegmentResult> {
    return Promise.resolve().then(() => this.runSegmentSync(stages, input));
  }

  /** Drops every live instance. */
  clear(): void {
    this.#pool.clear();
  }
}
