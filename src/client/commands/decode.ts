// `colwasm decode` (spec/cli.md): one batch on stdin -> JSONL rows on stdout, written in chunks of
// rows so the output text is never held whole.
import {
  type Column,
  decodeBatch,
  formatJsonLines,
  parseFormat,
  parseSchema,
  type Schema,
} from "../../columnar/index.ts";
// not re-exported by the codec's index (yet): the chunked reader of rows
import { rowReader } from "../../columnar/column-to-rows.ts";
import { flagValue, requireFlag } from "../args.ts";
import type { Command } from "../command.ts";
import { openInput } from "../open-input.ts";
import { fromCommandLine } from "../usage-error.ts";
import { readAll } from "../read-all.ts";
import { writeOutput } from "../write-output.ts";

/** Rows per chunk of output text: small enough to stream, large enough to write efficiently. */
export const ROWS_PER_CHUNK = 65536;

/**
 * The JSONL text of a column's rows, chunk by chunk. One reader serves every chunk, so the rank
 * tables of Option and Result columns are built once per column, not once per chunk (which made
 * decoding quadratic in the batch length).
 */
export function* jsonLineChunks(
  schema: Schema,
  column: Column,
  rowsPerChunk = ROWS_PER_CHUNK,
): Generator<string> {
  const rows = rowReader(schema, column);
  for (let from = 0; from < column.length; from += rowsPerChunk)
    yield formatJsonLines(rows({ from, to: Math.min(column.length, from + rowsPerChunk) }));
}

/** `colwasm decode --schema S [--format F] < batch.bin` */
export const command: Command = {
  name: "decode",
  usage: "colwasm decode --schema S [--format 0.1|0.12] [FILE] < batch.bin",
  description: "Reads one batch from FILE or stdin and writes its rows as JSONL (spec §8 mapping) on stdout.",
  flags: [
    { name: "schema", value: "S", description: "schema of the batch, e.g. '(String, i64)'" },
    { name: "format", value: "F", description: "Columnar-Format of the input: 0.1 (default) or 0.12" },
  ],
  async run(args, io) {
    const format = fromCommandLine(() => parseFormat(flagValue(args, "format")));
    const schema = fromCommandLine(() => parseSchema(requireFlag(args, "schema"), { format }));
    const input = openInput(args.positionals, io, "decode");
    const view = decodeBatch(await readAll(input.chunks), schema, { format });
    for (const text of jsonLineChunks(schema, view.column)) await writeOutput(io.stdout, text);
  },
};
