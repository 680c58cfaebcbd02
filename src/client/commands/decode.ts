// `colwasm decode` (spec/cli.md): one batch on stdin -> JSONL rows on stdout, written in chunks of
// rows so the output text is never held whole.
import { decodeBatch, parseFormat, parseSchema } from "../../columnar/index.ts";
import { jsonLineChunks } from "../json-line-chunks.ts";
import { flagValue, requireFlag } from "../args.ts";
import type { Command } from "../command.ts";
import { openInput } from "../open-input.ts";
import { fromCommandLine } from "../usage-error.ts";
import { readAll } from "../read-all.ts";
import { writeOutput } from "../write-output.ts";

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
