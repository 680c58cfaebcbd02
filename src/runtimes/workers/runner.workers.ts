// The code of every dynamic runner isolate (bundled to one JS string by scripts/build-worker.ts).
// A generated main module imports the chain's `op<k>.wasm` modules (compiled by the Worker Loader,
// the only place workerd compiles WASM) and hands them to `serveRunner`; chains run inline with
// one memcpy per hop, the loop budget enforced by fuel (src/wasm/meter-fuel.ts).
import { InlineExecutor, type OperatorStage, printedLines } from "../../chain/index.ts";
import { decodeBatch, encodeSlices, formatSchema, parseFormat, parseSchema } from "../../columnar/index.ts";
import {
  checkInstantiates,
  type HostedOperator,
  type OperatorLimits,
  prepareOperator,
  runExamples,
} from "../../wasm/index.ts";
import {
  bodyOf,
  failureOf,
  HOPS_HEADER,
  PLAN_HEADER,
  type RunPlan,
  type ValidateAnswer,
  type ValidatePlan,
} from "./runner-protocol.workers.ts";
import { useRecent } from "./use-recent.workers.ts";

const JSON_TYPE = { "content-type": "application/json" };

/** Prepared operators a runner isolate keeps (per name and headers), most recently run. */
const MAX_HOSTED = 64;

/** The fetch handler of a runner isolate over its compiled operator modules. */
export function serveRunner(
  modules: readonly WebAssembly.Module[],
  kernelModule?: WebAssembly.Module,
): {
  fetch(request: Request): Promise<Response>;
} {
  const executors = new Map<string, InlineExecutor>();
  const hosted = new Map<string, HostedOperator>();
  const executorFor = (limits: OperatorLimits) => {
    const key = JSON.stringify(limits);
    let executor = executors.get(key);
    if (executor === undefined) executors.set(key, (executor = new InlineExecutor(limits, { kernelModule })));
    return executor;
  };
  // One isolate serves every name uploaded with the same bytes: the operators prepared for them
  // are kept for the most recent MAX_HOSTED names, so their number (and the idle instances the
  // executor's pool keeps for them, bounded there too) cannot grow with every name ever run.
  const operator = (name: string, module: number, headers: RunPlan["stages"][number]["headers"]) => {
    const key = `${module}:${name}:${JSON.stringify(headers)}`;
    return useRecent(hosted, key, () => prepareOperator(name, modules[module], { headers }), MAX_HOSTED);
  };

  async function run(request: Request): Promise<Response> {
    const plan = JSON.parse(request.headers.get(PLAN_HEADER) ?? "{}") as RunPlan;
    const format = parseFormat(request.headers.get("columnar-format") ?? undefined);
    // the main side sends the request's schema, already parsed in its format: same limits here
    const schema = parseSchema(request.headers.get("columnar-schema") ?? "", { format });
    const stages: OperatorStage[] = plan.stages.map((s) => {
      const op = operator(s.name, s.module, s.headers);
      return {
        kind: "operator",
        index: s.index,
        name: s.name,
        operator: op,
        input: op.manifest.input,
        output: op.manifest.output,
      };
    });
    // The input was validated by the parent (or is its own encoding): trusted, only framed. A 0.1
    // body is read straight into the first operator's memory, its one copy on this side.
    const executor = executorFor(plan.limits);
    const { output, hops } =
      format === "0.1" && request.body !== null
        ? await executor.runSegmentOnBody(stages, {
            source: request.body,
            byteLength: plan.bodyBytes,
            schema,
            isTrusted: true,
          })
        : executor.runSegmentSync(
            stages,
            decodeBatch(new Uint8Array(await request.arrayBuffer()), schema, { format, isTrusted: true }),
          );
    // what the operators printed goes where this Worker's logs go (wrangler dev, wrangler tail)
    const printed = printedLines(hops);
    if (printed.length > 0) console.log(printed.join("\n"));
    // A Response copies a BufferSource when it is constructed (Fetch "extract a body"), so the view
    // into the last instance's memory is answered as is: that copy is the only one out.
    const bytes = output.bytes !== undefined ? output.bytes : encodeSlices(output.slices, output.format);
    return new Response(bodyOf(bytes), {
      headers: {
        "content-type": "application/x-columnar",
        "columnar-format": output.format,
        // timings only: what operators printed (up to 2 KiB a stage) has no use in the parent
        [HOPS_HEADER]: JSON.stringify(hops.map(({ printed: _printed, ...timing }) => timing)),
      },
    });
  }

  function validate(request: Request): Response {
    const plan = JSON.parse(request.headers.get(PLAN_HEADER) ?? "{}") as ValidatePlan;
    const op = prepareOperator(plan.name, modules[0], { headers: plan.headers });
    // metered here, so a start function runs under the deadline's fuel
    checkInstantiates(op, plan.limits);
    runExamples(op, plan.limits);
    const { abi, input, output, description, examples } = op.manifest;
    const answer: ValidateAnswer = {
      manifest: {
        abi,
        input: formatSchema(input),
        output: formatSchema(output),
        ...(description === undefined ? {} : { description }),
        examples: [...examples],
      },
    };
    return Response.json(answer);
  }

  return {
    async fetch(request: Request): Promise<Response> {
      try {
        return new URL(request.url).pathname === "/validate" ? validate(request) : await run(request);
      } catch (error) {
        return new Response(JSON.stringify(failureOf(error)), { status: 422, headers: JSON_TYPE });
      }
    },
  };
}
