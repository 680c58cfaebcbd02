// Public surface of chain planning and execution.
export type {
  BodyInput,
  HopTrace,
  OperatorStage,
  ReduceContext,
  ReduceExecutor,
  ReduceStage,
  SegmentExecutor,
  SegmentResult,
} from "./chain-executor.ts";
export { ChainTypeError } from "./chain-type-error.ts";
export { InlineExecutor } from "./inline-executor.ts";
export { printedLines } from "./operator-output.ts";
export {
  type ChainPlan,
  type OperatorDescriptor,
  type OperatorResolver,
  type PlannedStage,
  planChain,
} from "./plan-chain.ts";
export { reduceKeyType, reduceOutputSchema } from "./reduce-schema.ts";
export { type ChainResult, runChain } from "./run-chain.ts";
export { formatChain, isValidName, parseChain, type Stage } from "./stage.ts";
export { ThreadExecutor } from "./thread-executor.ts";
export type { SandboxPort, SandboxThread } from "./thread-protocol.ts";
export { ThreadPool } from "./thread-pool.ts";
