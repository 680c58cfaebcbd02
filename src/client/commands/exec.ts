// `colwasm exec` (spec/cli.md): runs a chain in-process, no server, for operator authors. Stages
// are built-in operator names (operators/dist) or paths to `.wasm` files; WASM runs in a sandbox
// thread so a runaway loop stops at the deadline. `reduce:` stages use an in-memory store
// (MemoryReduceStore): totals start from zero on every run and nothing is kept. `--format` is the
// Columnar-Format at the chain's ends, as a runtime's request and response carry it: the rows are
// encoded and validated in it, and so is the result before it is printed.
// Like `colwasm run`, the input streams in batches of `--batch-rows` rows (one batch in memory
// whatever the input size), each batch's result rows are printed before the next is read, and a
// terminal shows a progress bar. Reduce totals carry over from batch to batch, as on a runtime.
// Note: unlike the other client commands this one uses the server-side host (src/chain, src/wasm)
// on purpose: it is the runtime, run locally.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { decodeBatch, encodeBatch, parseFormat, parseSchema } from "../../columnar/index.ts";
import { parseChain, planChain, printedLines, runChain, ThreadExecutor } from "../../chain/index.ts";
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
  prepareOperator,
  readManifestSection,
} from "../../wasm/index.ts";
import { DEFAULT_BATCH_ROWS, flagValue, integerFlag, type ParsedArgs, requireFlag } from "../args.ts";
import type { Command } from "../command.ts";
import { openInput } from "../open-input.ts";
import { progressBar } from "../progress-bar.ts";
import { readRowBatches } from "../read-row-batches.ts";
import { fromCommandLine, UsageError } from "../usage-error.ts";
import { jsonLineChunks } from "../json-line-chunks.ts";
import { givenFlags, type ManifestFlags, requireManifestFlags } from "../manifest-flags.ts";
import { writeOutput } from "../write-output.ts";

const BUILTINS = new URL("../../../operators/dist/", import.meta.url);

async function loadStage(
  name: string,
  flags: ManifestFlags,
  cwd: string,
  use: { warn: (line: string) => void; flagsTaken: boolean },
): Promise<HostedOperator> {
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
  // spec/cli.md: --abi/--input/--output are for a .wasm stage "when it has no manifest"; a stage
  // with its colwasm section keeps it (in a chain of several .wasm files, only the bare ones take them)
  const hasSection = readManifestSection(module, name) !== undefined;
  const given = givenFlags(flags);
  if (isPath && hasSection && given.length > 0 && !use.flagsTaken)
    // told, not silent (unless a bare stage before took them): `colwasm push` lets the same flags
    // override a section
    use.warn(
      `colwasm: ${name} has a colwasm manifest section, which exec keeps: ${given.join(", ")} apply only to .wasm stages without one\n`,
    );
  if (isPath && !hasSection) {
    requireManifestFlags(flags, `Cannot run ${JSON.stringify(name)}`, "it", name);
    use.flagsTaken = true;
  }
  const hosted = prepareOperator(name, module, { headers: isPath && !hasSection ? flags : {} });
  // the export types an upload would be refused for, told to the author before they upload
  checkExportSignatures(wasm, hosted.manifest.abi, name);
  return hosted;
}

/** The manifest flags as given; a bad --abi or schema is a usage error. */
function manifestFlags(args: ParsedArgs, format: "0.1" | "0.12"): ManifestFlags {
  const abi = flagValue(args, "abi");
  if (abi !== undefined && abi !== "blog" && abi !== "colwasm/1")
    throw new UsageError(
      `Cannot read flag "--abi": expected colwasm/1 or blog, found ${JSON.stringify(abi)}`,
    );
  const input = flagValue(args, "input");
  const output = flagValue(args, "output");
  for (const schema of [input, output])
    if (schema !== undefined) fromCommandLine(() => parseSchema(schema, { format }));
  return { abi, input, output };
}

/** `colwasm exec --chain A,B --schema S [--format F] < rows.jsonl` */
export const command: Command = {
  name: "exec",
  usage:
    "colwasm exec --chain A,B --schema S [--format F] [--abi A --input S --output S] [--batch-rows N] [FILE] < rows.jsonl",
  description:
    "Runs a chain of operators in-process (no server) over JSONL rows from FILE or stdin, in batches of\n" +
    "--batch-rows, and prints each batch's result rows. reduce:NAME stages keep totals in memory for the run.",
  flags: [
    {
      name: "chain",
      value: "A,B",
      description: "stages: built-in operator names, paths to .wasm files, reduce:NAME",
    },
    { name: "schema", value: "S", description: "schema of the input rows, e.g. '(String, i64)'" },
    {
      name: "format",
      value: "F",
      description: "Columnar-Format of the input and result batches: 0.1 (default) or 0.12",
    },
    { name: "abi", value: "A", description: "ABI of .wasm stages without a manifest: colwasm/1 or blog" },
    { name: "input", value: "S", description: "input schema of .wasm stages without a manifest" },
    { name: "output", value: "S", description: "output schema of .wasm stages without a manifest" },
    { name: "batch-rows", value: "N", description: `rows per batch (default ${DEFAULT_BATCH_ROWS})` },
    {
      name: "trace",
      description: "on stderr, per batch: stage timings, copied bytes, what operators printed (last 2 KiB)",
    },
    { name: "quiet", description: "no progress bar" },
  ],
  async run(args, io) {
    const format = fromCommandLine(() => parseFormat(flagValue(args, "format")));
    const schema = fromCommandLine(() => parseSchema(requireFlag(args, "schema"), { format }));
    const stages = fromCommandLine(() => parseChain(requireFlag(args, "chain"), { allowPaths: true }));
    const batchRows = integerFlag(args, "batch-rows", DEFAULT_BATCH_ROWS, 1);
    const flags = manifestFlags(args, format);
    const input = openInput(args.positionals, io, "exec");
    const operators = new Map<string, HostedOperator>();
    const use = { warn: (line: string) => void io.stderr.write(line), flagsTaken: false };
    const plan = await planChain(stages, schema, {
      async resolve(name) {
        const op = operators.get(name) ?? (await loadStage(name, flags, io.cwd ?? process.cwd(), use));
        operators.set(name, op);
        return op;
      },
    });
    const kernels = new WebAssembly.Module(
      await readFile(new URL("../../../dist/kernels/validate.wasm", import.meta.url)),
    );
    const executor = new ThreadExecutor(DEFAULT_OPERATOR_LIMITS, {
      spawn: nodeSandbox({ preload: TSX_PRELOAD }),
      kernelModule: kernels,
    });
    // one store for the whole run: a key's total goes on from batch to batch
    const reduce = new ShardedReduce(new MemoryReduceStore());
    const bar = progressBar({
      isShown: io.isStderrTTY === true && io.isStdoutTTY !== true && !args.flags.has("quiet"),
      stream: io.stderr,
      totalBytes: input.byteLength,
    });
    try {
      let index = 0;
      for await (const rows of readRowBatches(input.chunks, schema, { batchRows })) {
        const batch = decodeBatch(encodeBatch(rows.column, { format }), schema, { format });
        const result = await runChain(plan, batch, { segments: executor, reduce });
        // the result as a runtime would answer it: encoded in `format` (and checked there)
        const output = decodeBatch(encodeBatch(result.output.column, { format }), plan.output, { format });
        if (output.length > 0)
          for (const text of jsonLineChunks(plan.output, output.column)) await writeOutput(io.stdout, text);
        if (args.flags.has("trace")) {
          const hops = result.hops.map((h) => `${h.name} ${h.durationMs.toFixed(3)} ms`).join(", ");
          const copied = result.hops.reduce((sum, h) => sum + h.copiedBytes, 0);
          io.stderr.write(`batch ${index}: ${hops || "no stages"}; ${copied} bytes copied\n`);
          for (const line of printedLines(result.hops, (name) => `  ${name}: `)) io.stderr.write(`${line}\n`);
        }
        bar.update({ rows: rows.firstRow + rows.column.length, bytesRead: rows.bytesRead });
        index++;
      }
    } finally {
      bar.stop();
      await executor.close();
    }
  },
};
