// `colwasm state NAME [--key K]` (spec/cli.md): prints a reduce namespace's totals as JSONL rows
// `[key, total]` in the runtime's order, or as a table sorted by key for reading; `--delete` drops
// the namespace (admin token).
import { formatJsonLines, parseSchema } from "../../columnar/index.ts";
import { flagValue } from "../args.ts";
import { clientFromEnv, URL_FLAG } from "../client-from-env.ts";
import type { Command } from "../command.ts";
import { TableWriter } from "../table-writer.ts";
import { UsageError } from "../usage-error.ts";
import type { StateRow } from "../client-options.ts";

/** Integer keys, as JSON gives them: numbers, or decimal strings beyond 2^53 (JSON rows, §8). */
const INTEGER = /^-?\d+$/;

/** `rows` sorted by key: by value when every key is an integer, else by UTF-16 code unit. */
function sortedByKey(rows: readonly StateRow[]): StateRow[] {
  const integers = rows.every(([key]) => typeof key === "number" || INTEGER.test(key));
  const order = integers
    ? (a: StateRow, b: StateRow) => {
        const [x, y] = [BigInt(a[0]), BigInt(b[0])];
        return x < y ? -1 : x > y ? 1 : 0;
      }
    : (a: StateRow, b: StateRow) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
  return [...rows].sort(order);
}

/** `colwasm state NAME [--key K] [--delete] [--output jsonl|table]` */
export const command: Command = {
  name: "state",
  usage: "colwasm state NAME [--key K] [--delete] [--output jsonl|table] [--url U]",
  description:
    "Prints the totals of reduce namespace NAME as [key, total] rows (GET /v1/state/NAME); exits 1 when absent.\n" +
    "Token: COLWASM_RUN_TOKEN (else COLWASM_ADMIN_TOKEN); --delete needs COLWASM_ADMIN_TOKEN.",
  flags: [
    URL_FLAG,
    { name: "key", value: "K", description: "only this key's total" },
    { name: "delete", description: "drop the namespace (DELETE /v1/state/NAME)" },
    { name: "output", value: "jsonl|table", description: "how rows are printed (default jsonl)" },
  ],
  async run(args, io) {
    const [name, ...extra] = args.positionals;
    if (name === undefined || extra.length > 0) throw new UsageError("Cannot read state: expected one NAME");
    const output = flagValue(args, "output") ?? "jsonl";
    if (output !== "jsonl" && output !== "table")
      throw new UsageError(
        `Cannot read flag "--output": expected jsonl or table, found ${JSON.stringify(output)}`,
      );
    if (args.flags.has("delete")) {
      if (args.flags.has("key"))
        throw new UsageError('Cannot delete one key: "--delete" drops the whole namespace');
      await clientFromEnv(args, io, "admin").deleteState(name);
      io.stdout.write(`deleted state ${name}\n`);
      return;
    }
    const rows = await clientFromEnv(args, io, "run").state(name, flagValue(args, "key"));
    if (output === "table")
      io.stdout.write(new TableWriter(parseSchema("{key: String, total: i64}")).format(sortedByKey(rows)));
    else io.stdout.write(formatJsonLines(rows));
  },
};
