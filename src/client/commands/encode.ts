// `colwasm encode` (spec/cli.md): JSONL rows on stdin -> one batch on stdout. Rows stream straight
// into a columnBuilder; only the columns are kept, never the rows.
import { columnBuilder, encodeBatch, parseFormat, parseSchema } from "../../columnar/index.ts";
import { flagValue, requireFlag } from "../args.ts";
import type { Command } from "../command.ts";
import { openInput } from "../open-input.ts";
import { fromCommandLine } from "../usage-error.ts";
import { readJsonLines } from "../read-json-lines.ts";
import { withRowShapeHint } from "../row-shape-hint.ts";
import { writeOutput } from "../write-output.ts";

/** `colwasm encode --schema S [--format 0.1|0.12] < rows.jsonl > batch.bin` */
export const command: Command = {
  name: "encode",
  usage: "colwasm encode --schema S [--format 0.1|0.12] [FILE] < rows.jsonl > batch.bin",
  description:
    "Reads rows as JSONL (spec §8 mapping) from FILE or stdin and writes them as one batch on stdout.",
  flags: [
    { name: "schema", value: "S", description: "schema of the rows, e.g. '(String, i64)'" },
    { name: "format", value: "F", description: "Columnar-Format of the output: 0.1 (default) or 0.12" },
  ],
  async run(args, io) {
    const format = fromCommandLine(() => parseFormat(flagValue(args, "format")));
    const schema = fromCommandLine(() => parseSchema(requireFlag(args, "schema"), { format }));
    const input = openInput(args.positionals, io, "encode");
    const builder = columnBuilder(schema);
    await readJsonLines(input.chunks, (value, row) => {
      try {
        builder.push(value, row);
      } catch (error) {
        throw withRowShapeHint(error, schema, value);
      }
    });
    await writeOutput(io.stdout, encodeBatch(builder.finish(), { format }));
  },
};
