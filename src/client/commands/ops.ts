// `colwasm ops` (spec/cli.md): lists the runtime's operators as a table, or as JSONL with `--json`
// (one entry a line, with the HTTP API's field names: `uploaded_at`, not the client's `uploadedAt`).
import { clientFromEnv, URL_FLAG } from "../client-from-env.ts";
import type { Command } from "../command.ts";
import { operatorEntryJson } from "../operator-entry.ts";
import { TableWriter } from "../table-writer.ts";
import { UsageError } from "../usage-error.ts";
import { parseSchema } from "../../columnar/index.ts";

const COLUMNS = parseSchema(
  "{name: String, abi: String, input: String, output: String, size: u64, builtin: bool}",
);

/** `colwasm ops [--url U] [--json]` */
export const command: Command = {
  name: "ops",
  usage: "colwasm ops [--url U] [--json]",
  description: "Lists built-in and uploaded operators (GET /v1/operators).",
  flags: [URL_FLAG, { name: "json", description: "one JSON object per line instead of a table" }],
  async run(args, io) {
    if (args.positionals.length > 0)
      throw new UsageError(`Cannot list operators: unexpected arguments ${JSON.stringify(args.positionals)}`);
    const operators = await clientFromEnv(args, io, "run").operators();
    if (args.flags.has("json")) {
      for (const op of operators) io.stdout.write(`${JSON.stringify(operatorEntryJson(op))}\n`);
      return;
    }
    const table = new TableWriter(COLUMNS);
    io.stdout.write(
      table.format(
        operators.map((op) => ({
          name: op.name,
          abi: op.abi,
          input: op.input,
          output: op.output,
          size: op.size,
          builtin: op.builtin,
        })),
      ),
    );
  },
};
