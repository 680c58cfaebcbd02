// `colwasm run` (spec/cli.md): streams JSONL (or CSV) rows from stdin or a file to a runtime in
// batches of `--batch-rows`, one request at a time, printing each batch's result rows before reading
// on: memory holds one batch whatever the input size (issue #7). `--binary` sends one batch's bytes.
import { columnToRows, parseFormat, parseSchema } from "../../columnar/index.ts";
import { DEFAULT_BATCH_ROWS, flagValue, integerFlag, type ParsedArgs, requireFlag } from "../args.ts";
import { clientFromEnv, URL_FLAG } from "../client-from-env.ts";
import { parseChain } from "../../chain/stage.ts";
import { ColwasmClientError } from "../client-error.ts";
import type { RunOptions, RunResult } from "../client-options.ts";
import type { Command } from "../command.ts";
import { encodeBatch } from "../encode-batch.ts";
import { openInput } from "../open-input.ts";
import { progressBar } from "../progress-bar.ts";
import { readAll } from "../read-all.ts";
import { readRowBatches } from "../read-row-batches.ts";
import { TableWriter } from "../table-writer.ts";
import { fromCommandLine, UsageError } from "../usage-error.ts";
import { jsonLineChunks } from "../json-line-chunks.ts";
import { writeOutput } from "../write-output.ts";

/** Longest --idempotency-key: the runtime takes 256 characters, and batch i adds `-i`. */
const MAX_KEY_LENGTH = 240;

/** --idempotency-key, checked as the runtime will (visible ASCII or spaces, no commas). */
function idempotencyKey(args: ParsedArgs): string | undefined {
  const key = flagValue(args, "idempotency-key");
  if (key === undefined) return undefined;
  if (!/^[\x20-\x2b\x2d-\x7e]+$/.test(key) || key.length > MAX_KEY_LENGTH)
    throw new UsageError(
      `Cannot read flag "--idempotency-key": expected 1-${MAX_KEY_LENGTH} visible ASCII characters or spaces, without commas, found ${JSON.stringify(key)}`,
    );
  return key;
}

/** The chain's syntax, checked before any input is read (as the runtime would refuse it). */
function checkChain(chain: string): void {
  try {
    fromCommandLine(() => parseChain(chain));
  } catch (error) {
    if (!(error instanceof UsageError) || !chain.includes(".wasm")) throw error;
    throw new UsageError(
      `${error.message} (a runtime runs uploaded operators by name: colwasm push NAME FILE.wasm uploads one, and colwasm exec runs a .wasm file locally)`,
      { type: error.type, fields: error.fields },
    );
  }
}

/** A 413 for a batch, told how big the batch was and how to send smaller ones. */
function withBatchSizeHint(error: unknown, rows: number, bytes: number): unknown {
  if (!(error instanceof ColwasmClientError) || error.status !== 413) return error;
  return new ColwasmClientError(error.status, {
    ...error.problem,
    detail: `${error.message} (this batch: ${rows} rows, ${bytes} bytes; send smaller ones with --batch-rows)`,
  });
}

function oneOf<T extends string>(args: ParsedArgs, name: string, values: readonly T[]): T {
  const text = flagValue(args, name) ?? values[0];
  const found = values.find((v) => v === text);
  if (found === undefined)
    throw new UsageError(
      `Cannot read flag "--${name}": expected ${values.join(" or ")}, found ${JSON.stringify(text)}`,
    );
  return found;
}

/** `colwasm run --chain A,B,reduce:N --schema S [--url U] [--format F] < rows.jsonl` */
export const command: Command = {
  name: "run",
  usage: "colwasm run --chain A,B,reduce:N --schema S [--url U] [--format F] [--binary] [FILE] < rows.jsonl",
  description:
    "Sends rows (JSONL, CSV, or with --binary one batch) through a chain on a runtime in batches and prints the result rows.\n" +
    "Token: COLWASM_RUN_TOKEN (else COLWASM_ADMIN_TOKEN). With --idempotency-key K, batch i is sent with key K-i.",
  flags: [
    {
      name: "chain",
      value: "A,B",
      description: "stages: operator names and reduce:NAME (empty: validate only)",
    },
    { name: "schema", value: "S", description: "schema of the input rows, e.g. '(String, i64)'" },
    URL_FLAG,
    { name: "format", value: "F", description: "Columnar-Format on the wire: 0.1 (default) or 0.12" },
    { name: "binary", description: "stdin is one encoded batch (colwasm encode), not rows" },
    { name: "input", value: "jsonl|csv", description: "row syntax of the input (default jsonl)" },
    { name: "header", description: "CSV: the first record is a header and is skipped" },
    { name: "batch-rows", value: "N", description: `rows per request (default ${DEFAULT_BATCH_ROWS})` },
    {
      name: "idempotency-key",
      value: "K",
      description: "send batch i with Idempotency-Key K-i (exactly-once reduce)",
    },
    {
      name: "retries",
      value: "N",
      description:
        "retry 503, 429, 408, 502 and 504 answers and lost connections N times (Retry-After, else backoff; default 2, or 0 for a reduce without --idempotency-key)",
    },
    { name: "output", value: "jsonl|table", description: "how result rows are printed (default jsonl)" },
    { name: "trace", description: "print each batch's stage timings and copied bytes on stderr" },
    { name: "quiet", description: "no progress bar" },
  ],
  async run(args, io) {
    const format = fromCommandLine(() => parseFormat(flagValue(args, "format")));
    const schema = fromCommandLine(() => parseSchema(requireFlag(args, "schema"), { format }));
    const chain = requireFlag(args, "chain");
    checkChain(chain);
    const batchRows = integerFlag(args, "batch-rows", DEFAULT_BATCH_ROWS, 1);
    // absent: the client's default (retries only where resending is safe)
    const retries = args.flags.has("retries") ? integerFlag(args, "retries", 0, 0) : undefined;
    const output = oneOf(args, "output", ["jsonl", "table"] as const);
    const inputKind = oneOf(args, "input", ["jsonl", "csv"] as const);
    const key = idempotencyKey(args);
    const isBinary = args.flags.has("binary");
    if (isBinary && args.flags.has("input"))
      throw new UsageError('Cannot run: "--binary" and "--input" exclude each other');
    const client = clientFromEnv(args, io, "run");
    const input = openInput(args.positionals, io, "run");
    let table: TableWriter | undefined;
    const print = async (result: RunResult, index: number): Promise<void> => {
      if (output === "table") {
        table ??= new TableWriter(result.batch.schema);
        await writeOutput(io.stdout, table.format(columnToRows(result.batch.schema, result.batch.column)));
      } else {
        for (const text of jsonLineChunks(result.batch.schema, result.batch.column))
          await writeOutput(io.stdout, text);
      }
      if (args.flags.has("trace")) {
        const stages = result.trace.stages.map((s) => `${s.name} ${s.durationMs.toFixed(3)} ms`).join(", ");
        io.stderr.write(`batch ${index}: ${stages}; ${result.trace.copiedBytes} bytes copied\n`);
      }
    };
    const onRetry: RunOptions["onRetry"] = ({ attempt, delayMs, error }): void => {
      const why =
        error instanceof ColwasmClientError ? `HTTP ${error.status}` : (error.code ?? "connection lost");
      if (!args.flags.has("quiet")) io.stderr.write(`colwasm: retry ${attempt} in ${delayMs} ms (${why})\n`);
    };

    if (isBinary) {
      const batch = encodeBatch(schema, await readAll(input.chunks), { format });
      const result = await client.run(chain, batch, {
        idempotencyKey: key === undefined ? undefined : `${key}-0`,
        retries,
        onRetry,
      });
      await print(result, 0);
      return;
    }

    const bar = progressBar({
      isShown: io.isStderrTTY === true && io.isStdoutTTY !== true && !args.flags.has("quiet"),
      stream: io.stderr,
      totalBytes: input.byteLength,
    });
    try {
      let index = 0;
      const batches = readRowBatches(input.chunks, schema, {
        batchRows,
        input: inputKind,
        hasHeader: args.flags.has("header"),
      });
      for await (const rows of batches) {
        const batch = encodeBatch(schema, rows.column, { format });
        const result = await client
          .run(chain, batch, {
            idempotencyKey: key === undefined ? undefined : `${key}-${index}`,
            retries,
            onRetry,
          })
          .catch((error: unknown) => {
            throw withBatchSizeHint(error, rows.column.length, batch.bytes.byteLength);
          });
        await print(result, index);
        bar.update({ rows: rows.firstRow + rows.column.length, bytesRead: rows.bytesRead });
        index++;
      }
    } finally {
      bar.stop();
    }
  },
};
