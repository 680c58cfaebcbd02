// How operator stages execute: the contract between the chain runner and where WASM runs
// (inline on this thread, or in a sandbox thread that can be stopped at a deadline).
import { decodeBatch, type Schema } from "../columnar/index.ts";
import { type BodySource, type HostedOperator, type OperatorBatch, readBodyInto } from "../wasm/index.ts";
import type { OperatorDescriptor, PlannedStage } from "./plan-chain.ts";

/** An operator stage of a plan, with its index in the whole chain. */
export type OperatorStage<Op extends OperatorDescriptor = HostedOperator> = Extract<
  PlannedStage<Op>,
  { kind: "operator" }
> & { readonly index: number };

/** A reduce stage of a plan, with its index in the whole chain. */
export type ReduceStage = Extract<PlannedStage, { kind: "reduce" }> & { readonly index: number };

/** Timing and copy figures of one hop. */
export interface HopTrace {
  readonly stage: number;
  readonly name: string;
  readonly durationMs: number;
  /** Bytes copied into this stage: its input batch, once. */
  readonly copiedBytes: number;
  /**
   * Of `durationMs`, the host's memcpy of the input from the previous operator's memory; absent
   * where the input was read in another way (a body streamed in, slices written one by one).
   */
  readonly copyMs?: number;
  /** What the operator printed on this batch (its last 2 KiB), when it printed anything. */
  readonly printed?: string;
}

/** What a run of consecutive operator stages produced. */
export interface SegmentResult {
  readonly output: OperatorBatch;
  readonly hops: readonly HopTrace[];
}

/** A format-0.1 request body of a known length, not yet read or validated. */
export interface BodyInput {
  readonly source: BodySource;
  readonly byteLength: number;
  readonly schema: Schema;
  /** Bytes this process produced or validated itself: framed, not scanned (decodeBatch). */
  readonly isTrusted?: boolean;
}

/** `body` read into a buffer of its own and decoded: for where no operator memory can take it. */
export async function readBodyBatch(body: BodyInput): Promise<OperatorBatch> {
  const bytes = new Uint8Array(body.byteLength);
  await readBodyInto(body.source, bytes);
  return decodeBatch(bytes, body.schema, { isTrusted: body.isTrusted });
}

/** Runs consecutive operator stages, one memcpy per hop. */
export interface SegmentExecutor<Op extends OperatorDescriptor = HostedOperator> {
  runSegment(stages: readonly OperatorStage<Op>[], input: OperatorBatch): Promise<SegmentResult>;
  /** Reads and validates `body` in the first operator's own memory, when the executor can. */
  runSegmentOnBody?(stages: readonly OperatorStage<Op>[], body: BodyInput): Promise<SegmentResult>;
}

/** Per-request facts a reduce needs: the idempotency key and a hash of what it guards. */
export interface ReduceContext {
  readonly idempotency?: { readonly key: string; readonly bodyHash: string };
}

/** Applies a reduce stage to a batch and returns the changed totals. */
export interface ReduceExecutor {
  applyReduce(stage: ReduceStage, input: OperatorBatch, context: ReduceContext): Promise<OperatorBatch>;
}
