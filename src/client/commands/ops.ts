// `colwasm ops` (spec/cli.md): lists the runtime's operators as a table, or as JSONL with `--json`
// (one entry a line, with the HTTP API's field names: `uploaded_at`, not the client's `uploadedAt`).
// `colwasm ops NAME` shows one; `--delete` removes an uploaded one (admin token), the CLI's side of
// DELETE /v1/operators/NAME.
import { clientFromEnv, URL_FLAG } from "../client-from-env.ts";
import type { Command } from "../command.ts";
import { operatorEntryJson } from "../operator-entry.ts";
import { TableWriter } from "../table-writer.ts";
import { UsageError } from "../usage-error.ts";
import { parseSchema } from "../../columnar/index.ts";

const COLUMNS = parseSchema(
  "{name: String, abi: String, input: String, output: String, size: u64, builtin: bool}",
);

/** `colwasm ops [NAME] [--delete] [--url U] [--json]` */
export const command: Command = {
  name: "ops",
  usage: "colwasm ops [NAME] [--delete] [--url U] [--json]",
  description:
    "Lists built-in and uploaded operators (GET /v1/operators), or only NAME (GET /v1/operators/NAME);\n" +
    "exits 1 when NAME is unknown. --delete removes uploaded operator NAME (DELETE /v1/operators/NAME,\n" +
    "COLWASM_ADMIN_TOKEN); built-in operators cannot be deleted.",
  flags: [
    URL_FLAG,
    { name: "json", description: "one JSON object per line instead of a table" },
    { name: "delete", description: "delete operator NAME" },
  ],
  async run(args, io) {
    const [name, ...extra] = args.positionals;
    if (extra.length > 0)
      throw new UsageError(`Cannot list operators: unexpected arguments ${JSON.stringify(extra)}`);
    if (args.flags.has("delete")) {
      if (name === undefined)
        throw new UsageError("Cannot delete: expected the operator's NAME (colwasm ops NAME --delete)");
      await clientFromEnv(args, io, "admin").deleteOperator(name);
      io.stdout.write(`deleted operator ${name}\n`);
      return;
    }
    const client = clientFromEnv(args, io, "run");
    const operators = name === undefined ? await client.operators() : [await client.operator(name)];
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
