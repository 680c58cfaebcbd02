// Runs one segment (consecutive operator stages of a chain) in ONE Worker Loader runner isolate,
// cached under a hash of the segment's module sha256s: the batch crosses into the isolate once
// and its output comes back once, whatever the segment's length (one crossing per segment).
import type { OperatorStage, SegmentExecutor, SegmentResult } from "../../chain/index.ts";
import { decodeBatch, encodeSlices, formatSchema, parseFormat } from "../../columnar/index.ts";
import type { OperatorBatch, OperatorLimits } from "../../wasm/index.ts";
import type { WorkerLoader } from "./bindings.workers.ts";
import type { WorkersOperator } from "./loader-registry.workers.ts";
import { runnerIsolate } from "./runner-isolate.workers.ts";
import {
  bodyOf,
  HOPS_HEADER,
  PLAN_HEADER,
  type RunHops,
  type RunPlan,
  throwFailure,
} from "./runner-protocol.workers.ts";

/** Options of LoaderSegmentExecutor. */
export interface LoaderSegmentOptions {
  readonly loader: WorkerLoader;
  readonly limits: OperatorLimits;
}

/** A SegmentExecutor over Worker Loader isolates for stages planned from descriptors (no modules). */
export class LoaderSegmentExecutor implements SegmentExecutor<WorkersOperator> {
  readonly #options: LoaderSegmentOptions;

  constructor(options: LoaderSegmentOptions) {
    this.#options = options;
  }

  async runSegment(
    stages: readonly OperatorStage<WorkersOperator>[],
    input: OperatorBatch,
  ): Promise<SegmentResult> {
    const modules: WorkersOperator[] = [];
    const runnerStages = stages.map((stage) => {
      const operator = stage.operator;
      let module = modules.findIndex((m) => m.sha256 === operator.sha256);
      if (module < 0) module = modules.push(operator) - 1;
      return { index: stage.index, name: stage.name, module, headers: operator.headers };
    });
    const runner = await runnerIsolate(this.#options.loader, "run", modules);
    // a reduce's output (or any batch without contiguous bytes) is encoded once here
    const bytes = input.bytes ?? encodeSlices(input.slices, input.format);
    const runPlan: RunPlan = {
      limits: this.#options.limits,
      stages: runnerStages,
      bodyBytes: bytes.byteLength,
    };
    const response = await runner.fetch(
      new Request("http://runner/run", {
        method: "POST",
        body: bodyOf(bytes),
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
    // validated in the runner (our code, against the untrusted operator): frame it, skip the scans.
    // The runner answers in its operators' format (0.1), whatever the input's was.
    const output = decodeBatch(
      new Uint8Array(await response.arrayBuffer()),
      stages[stages.length - 1].output,
      { format: parseFormat(response.headers.get("columnar-format") ?? undefined), isTrusted: true },
    );
    return { output, hops };
  }
}
