// The Workers ChainService: plans in the parent from manifests only, then runs every operator
// stage in ONE runner isolate per distinct module list (Worker Loader), posting the batch once and
// reading back the output bytes and the per-hop trace.
import { type ChainResult, planChain, type Stage } from "../../chain/index.ts";
import { type BatchView, decodeBatch, formatSchema } from "../../columnar/index.ts";
import { ColwasmError } from "../../error.ts";
import type { ChainService } from "../../http/app-deps.ts";
import type { OperatorLimits } from "../../wasm/index.ts";
import type { WorkerLoader } from "./bindings.workers.ts";
import type { LoaderRegistry, WorkersOperator } from "./loader-registry.workers.ts";
import {
  bodyOf,
  HOPS_HEADER,
  PLAN_HEADER,
  type RunHops,
  type RunPlan,
  throwFailure,
} from "./runner-protocol.workers.ts";
import { runnerIsolate } from "./runner-isolate.workers.ts";

/** Runs chains in Worker Loader isolates. */
export class LoaderChainService implements ChainService {
  readonly #options: { loader: WorkerLoader; registry: LoaderRegistry; limits: OperatorLimits };

  constructor(options: { loader: WorkerLoader; registry: LoaderRegistry; limits: OperatorLimits }) {
    this.#options = options;
  }

  async run(
    stages: readonly Stage[],
    input: BatchView,
    _options: { idempotencyKey?: string } = {},
  ): Promise<ChainResult> {
    const plan = await planChain<WorkersOperator>(stages, input.schema, this.#options.registry);
    if (plan.stages.length === 0) return { output: input, hops: [], copiedBytes: 0 };
    const modules: WorkersOperator[] = [];
    const runnerStages = plan.stages.map((stage, index) => {
      if (stage.kind === "reduce") {
        throw new ColwasmError(
          "bad-request",
          `Cannot run stage ${index} ("${stage.name}"): this runtime has no reduce state yet`,
          { stage: index },
        );
      }
      let module = modules.findIndex((m) => m.sha256 === stage.operator.sha256);
      if (module < 0) module = modules.push(stage.operator) - 1;
      return { index, name: stage.name, module, headers: stage.operator.headers };
    });
    const runPlan: RunPlan = { limits: this.#options.limits, stages: runnerStages };
    const runner = await runnerIsolate(this.#options.loader, "run", modules);
    const response = await runner.fetch(
      new Request("http://runner/run", {
        method: "POST",
        body: bodyOf(input.bytes),
        headers: {
          "content-type": "application/x-columnar",
          "columnar-schema": formatSchema(input.schema),
          "columnar-format": input.format,
          [PLAN_HEADER]: JSON.stringify(runPlan),
        },
      }),
    );
    if (!response.ok) return throwFailure(response);
    const hops = JSON.parse(response.headers.get(HOPS_HEADER) ?? "[]") as RunHops;
    const output = decodeBatch(new Uint8Array(await response.arrayBuffer()), plan.output, {
      format: input.format,
    });
    return { output, hops, copiedBytes: hops.reduce((sum, h) => sum + h.copiedBytes, 0) };
  }
}
