// Runtime-neutral pieces of the suite's WASM setup (no file system: bundled into the workerd bench
// worker too): the suite's operator limits and the per-record baseline module.
import { type Column, decodeBatch, type Schema } from "../src/columnar/index.ts";
import type { OperatorLimits } from "../src/wasm/index.ts";

/** Limits of the suite: 1M lines split into words need more than the default 64 MiB of output. */
export const BENCH_LIMITS: OperatorLimits = {
  deadlineMs: 60_000,
  maxMemoryPages: 16_384,
  maxOutputBytes: 512 * 1024 * 1024,
};

/**
 * The per-record ABI peers use: each record is marshalled into the module's memory (its text copied
 * to a scratch address) and one export is called per record:
 * `(func (export "len_plus_diff") (param $ptr i32) (param $len i32) (param $diff i64) (result i64))`
 * returning `i64.extend_i32_u(len) + diff`; assembled by hand so it loads in any runtime.
 */
// prettier-ignore
export const PER_RECORD_WASM = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7f, 0x7f, 0x7e, 0x01, 0x7e, // type section: (i32, i32, i64) -> i64
  0x03, 0x02, 0x01, 0x00, // function section: func 0 has type 0
  0x05, 0x03, 0x01, 0x00, 0x01, // memory section: one memory of 1 page
  0x07, 0x1a, 0x02, // export section: 2 exports
  0x0d, ...Array.from("len_plus_diff", (c) => c.charCodeAt(0)), 0x00, 0x00,
  0x06, ...Array.from("memory", (c) => c.charCodeAt(0)), 0x02, 0x00,
  0x0a, 0x0a, 0x01, 0x08, 0x00, 0x20, 0x01, 0xad, 0x20, 0x02, 0x7c, 0x0b, // local.get 1; i64.extend_i32_u; local.get 2; i64.add
]);

/** Where the per-record baseline writes each record's text in the module's memory. */
export const PER_RECORD_SCRATCH = 8;

/** The per-record function and the memory its records are copied into. */
export function perRecordFunction(): {
  call: (ptr: number, length: number, diff: bigint) => bigint;
  memory: Uint8Array;
} {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(PER_RECORD_WASM), {});
  const memory = instance.exports.memory as WebAssembly.Memory;
  return {
    call: instance.exports.len_plus_diff as (ptr: number, length: number, diff: bigint) => bigint,
    memory: new Uint8Array(memory.buffer),
  };
}

/**
 * The per-record baseline over a `(String, i64)` body: decode, then per record copy its text into
 * the module's memory and call the export once. Returns the new diffs.
 */
export function runPerRecord(
  perRecord: ReturnType<typeof perRecordFunction>,
  body: Uint8Array,
  schema: Schema,
): BigInt64Array {
  const view = decodeBatch(body, schema);
  const [text, diff]: readonly Column[] = view.column.kind === "tuple" ? view.column.elements : [];
  if (text?.kind !== "string" || diff?.kind !== "i64")
    throw new TypeError("per-record baseline needs (String, i64)");
  const out = new BigInt64Array(view.length);
  let start = 0;
  for (let i = 0; i < view.length; i++) {
    const end = Number(text.bounds[i]);
    perRecord.memory.set(text.bytes.subarray(start, end), PER_RECORD_SCRATCH); // copy: marshal the record
    out[i] = perRecord.call(PER_RECORD_SCRATCH, end - start, diff.data[i]);
    start = end;
  }
  return out;
}
