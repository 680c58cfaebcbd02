// The ChainService of runtimes that run WASM themselves (Deno/Node: a sandbox thread, or inline):
// plans against the registry, adapts the input to what the executor takes, runs the chain, and
// logs what its operators printed.
import type {
  ChainResult,
  OperatorResolver,
  ReduceExecutor,
  SegmentExecutor,
  Stage,
} from "../chain/index.ts";
import { planChain, printedLines, runChain } from "../chain/index.ts";
import type { BatchView } from "../columnar/index.ts";
import type { HostedOperator } from "../wasm/index.ts";

/**
 * What runs the stages. Wrap an InlineExecutor in DetachedInlineExecutor when requests run
 * concurrently: its outputs otherwise point into operator memory that the next run reuses.
 */
export interface LocalChainOptions {
  readonly resolver: OperatorResolver<HostedOperator>;
  readonly executor: SegmentExecutor;
  readonly reduce?: ReduceExecutor;
  /** Where operators' prints go, one `[operator NAME] text` line each (console.log by default). */
  readonly log?: (line: string) => void;
}

/** Plans (type errors and unknown operators before anything runs) and runs chains locally. */
export class LocalChainService {
  readonly #options: LocalChainOptions;

  constructor(options: LocalChainOptions) {
    this.#options = options;
  }

  /** Runs `stages` over `input`; the idempotency key (with the request's hash) guards reduce stages. */
  async run(
    stages: readonly Stage[],
    input: BatchView,
    options: { idempotencyKey?: string; bodyHash?: string } = {},
  ): Promise<ChainResult> {
    const { resolver, executor, reduce } = this.#options;
    const plan = await planChain(stages, input.schema, resolver);
    if (plan.stages.length === 0) return { output: input, hops: [], copiedBytes: 0 };
    const idempotency =
      options.idempotencyKey === undefined
        ? undefined
        : { key: options.idempotencyKey, bodyHash: options.bodyHash ?? "" };
    const result = await runChain(plan, input, { segments: executor, reduce, context: { idempotency } });
    const lines = printedLines(result.hops);
    if (lines.length > 0) (this.#options.log ?? console.log)(lines.join("\n"));
    return result;
  }
}
