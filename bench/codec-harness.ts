// Measures the codec against memcpy of the same bytes (style.md §9: performance lives in bench/ as
// ratios): decodeBatch, encode into a fresh buffer, encode into a reused one. Pure and sized by
// its caller, so test/bench/codec-harness.test.ts can run it on tiny sizes.
import { Bench } from "tinybench";
import {
  columnBuilder,
  columnSlices,
  decodeBatch,
  encodeBatch,
  encodedByteLength,
  parseSchema,
  writeSlices,
} from "../src/columnar/index.ts";
import { wordRows } from "./word-rows.ts";

/** One size's medians (ms per operation) and their ratios to memcpy. */
export interface CodecBenchRow {
  readonly rows: number;
  readonly bodyBytes: number;
  readonly memcpyMs: number;
  readonly decodeMs: number;
  readonly encodeFreshMs: number;
  readonly encodeReusedMs: number;
  readonly decodeRatio: number;
  readonly encodeFreshRatio: number;
  readonly encodeReusedRatio: number;
}

/** Options of measureCodec. */
export interface CodecBenchOptions {
  /** Row counts to measure, smallest first. */
  readonly sizes: readonly number[];
  /** Measuring time budget per task, ms. */
  readonly timeMs?: number;
  /** Warm-up time budget per task, ms. */
  readonly warmupMs?: number;
  readonly seed?: number;
}

const SCHEMA = parseSchema("(String, i64)");

function median(bench: Bench, name: string): number {
  const result = bench.getTask(name)?.result;
  if (result === undefined || (result.state !== "completed" && result.state !== "aborted-with-statistics")) {
    throw new Error(`benchmark task ${name} did not complete (${result?.state ?? "missing"})`);
  }
  return result.latency.p50;
}

/** Measures one row count. */
async function measureSize(rows: number, options: CodecBenchOptions): Promise<CodecBenchRow> {
  const builder = columnBuilder(SCHEMA);
  wordRows(rows, options.seed).forEach((row, i) => builder.push(row, i));
  const body = encodeBatch(builder.finish());
  const view = decodeBatch(body, SCHEMA);
  const copyTarget = new Uint8Array(body.byteLength);
  const reused = new Uint8Array(encodedByteLength(columnSlices(view.column, "0.1"), "0.1"));
  let sink = 0;

  const bench = new Bench({
    time: options.timeMs ?? 500,
    warmupTime: options.warmupMs ?? 100,
    iterations: 10,
    warmupIterations: 5,
  });
  bench
    .add("memcpy", () => {
      copyTarget.set(body); // copy: the baseline being measured
    })
    .add("decode", () => {
      sink += decodeBatch(body, SCHEMA).length;
    })
    .add("encode-fresh", () => {
      sink += encodeBatch(view.column).byteLength;
    })
    .add("encode-reused", () => {
      sink += writeSlices(reused, columnSlices(view.column, "0.1"), "0.1");
    });
  await bench.run();
  if (sink < 0) throw new Error("unreachable: keeps the measured results alive");

  const memcpyMs = median(bench, "memcpy");
  const decodeMs = median(bench, "decode");
  const encodeFreshMs = median(bench, "encode-fresh");
  const encodeReusedMs = median(bench, "encode-reused");
  return {
    rows,
    bodyBytes: body.byteLength,
    memcpyMs,
    decodeMs,
    encodeFreshMs,
    encodeReusedMs,
    decodeRatio: decodeMs / memcpyMs,
    encodeFreshRatio: encodeFreshMs / memcpyMs,
    encodeReusedRatio: encodeReusedMs / memcpyMs,
  };
}

/** The measured rows plus the two verdicts the benchmark exists for. */
export interface CodecBenchReport {
  readonly schema: string;
  readonly rows: readonly CodecBenchRow[];
  /** Decode ratio at the largest size is within 2x of the ratio at the smallest. */
  readonly isDecodeFlat: boolean;
  readonly isEncodeFreshWithin3x: boolean;
  readonly isEncodeReusedWithin3x: boolean;
}

/** Runs the codec benchmark at every size of `options.sizes`. */
export async function measureCodec(options: CodecBenchOptions): Promise<CodecBenchReport> {
  const rows: CodecBenchRow[] = [];
  for (const size of options.sizes) rows.push(await measureSize(size, options));
  const first = rows[0];
  const last = rows[rows.length - 1];
  return {
    schema: "(String, i64)",
    rows,
    isDecodeFlat: first !== undefined && last.decodeRatio <= 2 * first.decodeRatio,
    isEncodeFreshWithin3x: rows.every((r) => r.encodeFreshRatio <= 3),
    isEncodeReusedWithin3x: rows.every((r) => r.encodeReusedRatio <= 3),
  };
}

/** The report as a Markdown table. */
export function formatCodecReport(report: CodecBenchReport): string {
  const us = (ms: number): string => (ms * 1000).toFixed(1);
  const x = (ratio: number): string => `${ratio.toFixed(2)}x`;
  const lines = [
    `Codec of \`${report.schema}\`, medians (µs) and ratio to memcpy of the same body bytes`,
    "",
    "| rows | body bytes | memcpy µs | decode µs | decode/memcpy | encode fresh µs | fresh/memcpy | encode reused µs | reused/memcpy |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...report.rows.map(
      (r) =>
        `| ${r.rows} | ${r.bodyBytes} | ${us(r.memcpyMs)} | ${us(r.decodeMs)} | ${x(r.decodeRatio)} | ${us(r.encodeFreshMs)} | ${x(r.encodeFreshRatio)} | ${us(r.encodeReusedMs)} | ${x(r.encodeReusedRatio)} |`,
    ),
    "",
    `- decode flat in N (ratio at largest within 2x of smallest): ${report.isDecodeFlat ? "yes" : "NO"}`,
    `- encode into a fresh buffer within 3x memcpy: ${report.isEncodeFreshWithin3x ? "yes" : "NO"}`,
    `- encode into a reused buffer within 3x memcpy: ${report.isEncodeReusedWithin3x ? "yes" : "NO"}`,
  ];
  return lines.join("\n");
}
