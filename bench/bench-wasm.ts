// Runtime-neutral pieces of the suite's WASM setup (no file system: bundled into the workerd bench
// worker too): the suite's operator limits and the per-record baseline module.
import type { OperatorLimits } from "../src/wasm/index.ts";

/** Limits of the suite: 1M lines split into words need more than the default 64 MiB of output. */
export const BENCH_LIMITS: OperatorLimits = {
  deadlineMs: 60_000,
  maxMemoryPages: 16_384,
  maxOutputBytes: 512 * 1024 * 1024,
};

/**
 * The per-record ABI peers use, `(func (export "len_plus_diff") (param i32 i64) (result i64))`
 * returning `i64.extend_i32_u(len) + diff`, assembled by hand so it loads in any runtime.
 */
// prettier-ignore
export const PER_RECORD_WASM = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x07, 0x01, 0x60, 0x02, 0x7f, 0x7e, 0x01, 0x7e, // type section: (i32, i64) -> i64
  0x03, 0x02, 0x01, 0x00, // function section: func 0 has type 0
  0x07, 0x11, 0x01, 0x0d, ...Array.from("len_plus_diff", (c) => c.charCodeAt(0)), 0x00, 0x00, // export
  0x0a, 0x0a, 0x01, 0x08, 0x00, 0x20, 0x00, 0xad, 0x20, 0x01, 0x7c, 0x0b, // local.get 0; i64.extend_i32_u; local.get 1; i64.add
]);

/** The per-record function. */
export function perRecordFunction(): (length: number, diff: bigint) => bigint {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(PER_RECORD_WASM), {});
  return instance.exports.len_plus_diff as (length: number, diff: bigint) => bigint;
}
