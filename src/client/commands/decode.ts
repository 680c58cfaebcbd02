// `colwasm decode` (spec/cli.md): one batch on stdin -> JSONL rows on stdout, written in chunks of
// rows so the output text is never held whole.
import {
  columnToRows,
  decodeBatch,
  formatJsonLines,
  parseFormat,
  parseSchema,
} from "../../columnar/index.ts";
import { flagValue, requireFlag } from "../args.ts";
import type { Command } from "../command.ts";
import { readAll } from "../read-all.ts";
import { writeOutput } from "../write-output.ts";

// Large enough that per-chunk set-up (rank tables of Options) is amortized, small enough to stream.
const ROWS_PER_CHUNK = 65536;

/** `colwasm decode --schema S [--format F] < batch.bin` */
export const command: Command = {
  name: "decode",
  usage: "colwasm decode --schema S [--format 0.1|0.12] < batch.bin",
  description: "Reads one batch and writes its rows as JSONL (spec §8 mapping).",
  flags: [
    { name: "schema", value: "S", description: "schema of the batch, e.g. '(String, i64)'" },
    { name: "format", value: "F", description: "Columnar-Format of the input: 0.1 (default) or 0.12" },
  ],
  async run(args, io) {
    const format = parseFormat(flagValue(args, "format"));
    const schema = parseSchema(requireFlag(args, "schema"), { format });
    const view = decodeBatch(await readAll(io.stdin), schema, { format });
    for (let from = 0; from < view.length; from += ROWS_PER_CHUNK) {
      const rows = columnToRows(schema, view.column, {
        from,
        to: Math.min(view.length, from + ROWS_PER_CHUNK),
      });
      await writeOutput(io.stdout, formatJsonLines(rows));
    }
  },
};
