// `colwasm exec` (spec/cli.md): runs a chain in-process, no server, for operator authors. Stages
// are built-in operator names (operators/dist) or paths to `.wasm` files; WASM runs in a sandbox
// thread so a runaway loop stops at the deadline. `reduce:` stages use an in-memory store
// (MemoryReduceStore): totals start from zero on every run and nothing is kept. `--format` is the
// Columnar-Format at the chain's ends, as a runtime's request and response carry it: the rows are
// encoded and validated in it, and so is the result before it is printed.
// Note: unlike the other client commands this one uses the server-side host (src/chain, src/wasm)
// on purpose: it is the runtime, run locally.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import {
  columnBuilder,
  columnToRows,
  decodeBatch,
  encodeBatch,
  formatJsonLines,
  parseFormat,
  parseSchema,
} from "../../columnar/index.ts";
import { parseChain, planChain, runChain, ThreadExecutor } from "../../chain/index.ts";
import { nodeSandbox, TSX_PRELOAD } from "../../chain/node-sandbox.node.ts";
import { ColwasmError } from "../../error.ts";
import { BUILTIN_NAMES } from "../../registry/builtin-names.ts";
import { MemoryReduceStore, ShardedReduce } from "../../state/index.ts";
import {
  capModuleLimits,
  checkExportSignatures,
  DEFAULT_OPERATOR_LIMITS,
  type HostedOperator,
  compileFailure,
  type ManifestJson,
  prepareOperator,
} from "../../wasm/index.ts";
import { flagValue, requireFlag } from "../args.ts";
import type { Command } from "../command.ts";
import { fromCommandLine, UsageError } from "../usage-error.ts";
import { readJsonLines } from "../read-json-lines.ts";
import { withRowShapeHint } from "../row-shape-hint.ts";
import { writeOutput } from "../write-output.ts";

const BUILTINS = new URL("../../../operators/dist/", import.meta.url);

async function loadStage(name: string, headers: Partial<ManifestJson>, cwd: string): Promise<HostedOperator> {
  const isPath = name.endsWith(".wasm");
  if (!isPath && !(BUILTIN_NAMES as readonly string[]).includes(name)) {
    // operators/dist also holds the scaffold's template: only the runtimes' built-ins are names
    throw new ColwasmError(
      "unknown-operator",
      `Cannot find operator ${JSON.stringify(name)} among the built-ins (${BUILTIN_NAMES.join(", ")}); a stage may also be a path to a .wasm file`,
      { operator: name },
    );
  }
  let wasm: Uint8Array;
  try {
    wasm = await readFile(isPath ? resolve(cwd, name) : new URL(`${name}.wasm`, BUILTINS));
  } catch (error) {
    // a .wasm path is a file named on the command line: unreadable, it is a usage error (exit 2)
    if (isPath)
      throw new UsageError(
        `Cannot read operator ${JSON.stringify(name)}: ${error instanceof Error ? error.message : String(error)}`,
        { type: "unknown-operator", fields: { operator: name }, cause: error },
      );
    throw new ColwasmError(
      "unknown-operator",
      `Cannot find operator ${JSON.stringify(name)}${isPath ? "" : " among the built-ins (operators/dist)"}`,
      { operator: name },
      { cause: error },
    );
  }
  const bytes = capModuleLimits(wasm, DEFAULT_OPERATOR_LIMITS.maxMemoryPages);
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(bytes);
  } catch (error) {
    throw compileFailure(name, error);
  }
  const hosted = prepareOperator(name, module, { headers: isPath ? headers : {} });
  // the export types an upload would be refused for, told to the author before they upload
  checkExportSignatures(wasm, hosted.manifest.abi, name);
  return hosted;
}

/** `colwasm exec --chain A,B --schema S [--format F] < rows.jsonl` */
export const command: Command = {
  name: "exec",
  usage: "colwasm exec --chain A,B --schema S [--format F] [--abi A --input S --output S] < rows.jsonl",
  description: "Runs a chain of operators in-process over JSONL rows and prints the result rows.",
  flags: [
    { name: "chain", value: "A,B", description: "operator names (built-ins) or paths to .wasm files" },
    { name: "schema", value: "S", description: "schema of the input rows, e.g. '(String, i64)'" },
    {
      name: "format",
      value: "F",
      description: "Columnar-Format of the input and result batches: 0.1 (default) or 0.12",
    },
    { name: "abi", value: "A", description: "ABI of .wasm stages without a manifest: colwasm/1 or blog" },
    { name: "input", value: "S", description: "input schema of .wasm stages without a manifest" },
    { name: "output", value: "S", description: "output schema of .wasm stages without a manifest" },
  ],
  async run(args, io) {
    const format = fromCommandLine(() => parseFormat(flagValue(args, "format")));
    const schema = fromCommandLine(() => parseSchema(requireFlag(args, "schema"), { format }));
    const stages = fromCommandLine(() => parseChain(requireFlag(args, "chain"), { allowPaths: true }));
    const abi = flagValue(args, "abi");
    const headers: Partial<ManifestJson> = {
      abi: abi === "blog" || abi === "colwasm/1" ? abi : undefined,
      input: flagValue(args, "input"),
      output: flagValue(args, "output"),
    };
    const operators = new Map<string, HostedOperator>();
    const plan = await planChain(stages, schema, {
      async resolve(name) {
        const op = operators.get(name) ?? (await loadStage(name, headers, io.cwd ?? process.cwd()));
        operators.set(name, op);
        return op;
      },
    });
    const builder = columnBuilder(schema);
    await readJsonLines(io.stdin, (value, row) => {
      try {
        builder.push(value, row);
      } catch (error) {
        throw withRowShapeHint(error, schema, value);
      }
    });
    const input = decodeBatch(encodeBatch(builder.finish(), { format }), schema, { format });
    const kernels = new WebAssembly.Module(
      await readFile(new URL("../../../dist/kernels/validate.wasm", import.meta.url)),
    );
    const executor = new ThreadExecutor(DEFAULT_OPERATOR_LIMITS, {
      spawn: nodeSandbox({ preload: TSX_PRELOAD }),
      kernelModule: kernels,
    });
    try {
      const result = await runChain(plan, input, {
        segments: executor,
        reduce: new ShardedReduce(new MemoryReduceStore()),
      });
      // the result as a runtime would answer it: encoded in `format` (and checked there)
      const output = decodeBatch(encodeBatch(result.output.column, { format }), plan.output, { format });
      await writeOutput(
        io.stdout,
        new TextEncoder().encode(formatJsonLines(columnToRows(plan.output, output.column))),
      );
      for (const hop of result.hops)
        io.stderr.write(
          `stage ${hop.stage} ${hop.name}: ${hop.durationMs.toFixed(3)} ms, ${hop.copiedBytes} bytes copied in\n`,
        );
    } finally {
      await executor.close();
    }
  },
};
