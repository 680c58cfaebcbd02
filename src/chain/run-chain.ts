// Executes a ChainPlan: consecutive operator stages go to the segment executor (one memcpy per
// hop), reduce stages to the reduce executor; collects per-stage timing and copied bytes.
import { ColwasmError } from "../error.ts";
import type { HostedOperator, OperatorBatch } from "../wasm/index.ts";
import {
  type BodyInput,
  type HopTrace,
  type OperatorStage,
  type ReduceContext,
  type ReduceExecutor,
  type SegmentExecutor,
  readBodyBatch,
} from "./chain-executor.ts";
import type { ChainPlan, OperatorDescriptor } from "./plan-chain.ts";

/** The output batch and the trace of a chain run. */
export interface ChainResult {
  readonly output: OperatorBatch;
  readonly hops: readonly HopTrace[];
  /** Sum of the hop inputs: the `Colwasm-Copied-Bytes` header. */
  readonly copiedBytes: number;
}

/**
 * Runs `plan` over `input`: a batch already decoded and validated against `plan.input`, or a body
 * not yet read, which the first segment reads into its first operator's memory when its executor
 * can (`runSegmentOnBody`: the body's one copy is then the first hop's).
 */
export async function runChain<Op extends OperatorDescriptor = HostedOperator>(
  plan: ChainPlan<Op>,
  input: OperatorBatch | BodyInput,
  executors: { segments: SegmentExecutor<Op>; reduce?: ReduceExecutor; context?: ReduceContext },
): Promise<ChainResult> {
  const hops: HopTrace[] = [];
  let body = "source" in input ? input : undefined;
  let batch = "source" in input ? undefined : input;
  const decoded = async (): Promise<OperatorBatch> => {
    if (batch !== undefined) return batch;
    batch = await readBodyBatch(body as BodyInput);
    body = undefined;
    return batch;
  };
  let pending: OperatorStage<Op>[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const segments = executors.segments;
    const result =
      body !== undefined && segments.runSegmentOnBody !== undefined
        ? await segments.runSegmentOnBody(pending, body)
        : await segments.runSegment(pending, await decoded());
    body = undefined;
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
    batch = await executors.reduce.applyReduce({ ...stage, index }, await decoded(), executors.context ?? {});
    hops.push({ stage: index, name: stage.name, durationMs: performance.now() - started, copiedBytes: 0 });
  }
  await flush();
  return { output: await decoded(), hops, copiedBytes: hops.reduce((sum, h) => sum + h.copiedBytes, 0) };
}
