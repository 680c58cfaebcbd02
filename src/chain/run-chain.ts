// Executes a ChainPlan: consecutive operator stages go to the segment executor (one memcpy per
// hop), reduce stages to the reduce executor; collects per-stage timing and copied bytes.
import { ColwasmError } from "../error.ts";
import type { HostedOperator, OperatorBatch } from "../wasm/index.ts";
import type {
  HopTrace,
  OperatorStage,
  ReduceContext,
  ReduceExecutor,
  SegmentExecutor,
} from "./chain-executor.ts";
import type { ChainPlan, OperatorDescriptor } from "./plan-chain.ts";

/** The output batch and the trace of a chain run. */
export interface ChainResult {
  readonly output: OperatorBatch;
  readonly hops: readonly HopTrace[];
  /** Sum of the hop inputs: the `Colwasm-Copied-Bytes` header. */
  readonly copiedBytes: number;
}

/** Runs `plan` over `input` (already decoded and validated against `plan.input`). */
export async function runChain<Op extends OperatorDescriptor = HostedOperator>(
  plan: ChainPlan<Op>,
  input: OperatorBatch,
  executors: { segments: SegmentExecutor<Op>; reduce?: ReduceExecutor; context?: ReduceContext },
): Promise<ChainResult> {
  const hops: HopTrace[] = [];
  let batch = input;
  let pending: OperatorStage<Op>[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const result = await executors.segments.runSegment(pending, batch);
    batch = result.output;
    hops.push(...result.hops);
    pending = [];
  };
  for (const [index, stage] of plan.stages.entries()) {
    if (stage.kind === "operator") {
      pending.push({ ...stage, index });
      continue;
    }
    await flush();
    if (executors.reduce === undefined) {
      throw new ColwasmError(
        "bad-request",
        `Cannot run stage ${index} ("${stage.name}"): this runtime has no reduce state`,
        { stage: index },
      );
    }
    const started = performance.now();
    batch = await executors.reduce.applyReduce({ ...stage, index }, batch, executors.context ?? {});
    hops.push({ stage: index, name: stage.name, durationMs: performance.now() - started, copiedBytes: 0 });
  }
  await flush();
  return { output: batch, hops, copiedBytes: hops.reduce((sum, h) => sum + h.copiedBytes, 0) };
}
