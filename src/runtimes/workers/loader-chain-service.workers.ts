// The Workers ChainService: plans in the parent from manifests only, then runs each segment
// (consecutive operator stages) in one Worker Loader runner isolate and each `reduce:` stage here
// in the parent, against the ReduceShard Durable Objects (runChain splits the plan).
import { type ChainResult, planChain, type ReduceExecutor, runChain, type Stage } from "../../chain/index.ts";
import type { BatchView } from "../../columnar/index.ts";
import type { ChainService } from "../../http/app-deps.ts";
import type { OperatorLimits } from "../../wasm/index.ts";
import type { WorkerLoader } from "./bindings.workers.ts";
import type { LoaderRegistry, WorkersOperator } from "./loader-registry.workers.ts";
import { LoaderSegmentExecutor } from "./loader-segment-executor.workers.ts";

/** Options of LoaderChainService. */
export interface LoaderChainOptions {
  readonly loader: WorkerLoader;
  readonly registry: LoaderRegistry;
  readonly limits: OperatorLimits;
  /** Runs `reduce:` stages; without it they are refused. */
  readonly reduce?: ReduceExecutor;
}

/** Runs chains in Worker Loader isolates, reduce stages against Durable Objects. */
export class LoaderChainService implements ChainService {
  readonly #options: LoaderChainOptions;

  constructor(options: LoaderChainOptions) {
    this.#options = options;
  }

  async run(
    stages: readonly Stage[],
    input: BatchView,
    options: { idempotencyKey?: string; bodyHash?: string } = {},
  ): Promise<ChainResult> {
    const { loader, registry, limits, reduce } = this.#options;
    const plan = await planChain<WorkersOperator>(stages, input.schema, registry);
    if (plan.stages.length === 0) return { output: input, hops: [], copiedBytes: 0 };
    const idempotency =
      options.idempotencyKey === undefined
        ? undefined
        : { key: options.idempotencyKey, bodyHash: options.bodyHash ?? "" };
    return runChain(plan, input, {
      segments: new LoaderSegmentExecutor({ loader, limits }),
      reduce,
      context: { idempotency },
    });
  }
}
