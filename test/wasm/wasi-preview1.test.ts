// The WASI preview 1 functions the host supplies (src/wasm/wasi-preview1.ts), called from small WAT
// modules the way libc and Rust's std call them: stdio kept (its tail) and nothing else reachable,
// errno values of the spec, addresses outside memory answered EFAULT, random_get a fixed sequence
// that charges fuel, proc_exit as OperatorExit, and ENOSYS for whatever else a module imports.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  HOST_CALL_FUEL,
  OperatorExit,
  PrintedOutput,
  type WasiHost,
  wasiImports,
} from "../../src/wasm/wasi-preview1.ts";
import { wat } from "../support/wat.ts";

const EBADF = 8;
const EFAULT = 21;
const EINVAL = 28;
const ENOSYS = 52;
const ESPIPE = 70;

/** Every function the tests call, imported and re-exported as `w_NAME`. */
const SIGNATURES: Record<string, string> = {
  args_sizes_get: "(param i32 i32) (result i32)",
  environ_sizes_get: "(param i32 i32) (result i32)",
  fd_write: "(param i32 i32 i32 i32) (result i32)",
  fd_read: "(param i32 i32 i32 i32) (result i32)",
  fd_fdstat_get: "(param i32 i32) (result i32)",
  fd_seek: "(param i32 i64 i32 i32) (result i32)",
  fd_close: "(param i32) (result i32)",
  fd_prestat_get: "(param i32 i32) (result i32)",
  clock_time_get: "(param i32 i64 i32) (result i32)",
  clock_res_get: "(param i32 i32) (result i32)",
  random_get: "(param i32 i32) (result i32)",
  proc_exit: "(param i32)",
  path_open: "(param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)",
};

type Fn = (...args: (number | bigint)[]) => number;

/** An instance of a module that imports SIGNATURES, served by a host whose fuel spending is recorded. */
function wasiInstance(): {
  call: (name: string, ...args: (number | bigint)[]) => number;
  view: DataView;
  host: WasiHost;
  spent: number[];
} {
  const imports = Object.entries(SIGNATURES)
    .map(([name, type]) => `(import "wasi_snapshot_preview1" "${name}" (func $${name} ${type}))`)
    .join("\n");
  const exports = Object.keys(SIGNATURES)
    .map((name) => `(export "w_${name}" (func $${name}))`)
    .join("\n");
  const module = new WebAssembly.Module(wat(`(module ${imports} (memory (export "memory") 1) ${exports})`));
  let instance: WebAssembly.Instance | undefined;
  const spent: number[] = [];
  const host: WasiHost = {
    memory: () => instance?.exports.memory as WebAssembly.Memory | undefined,
    spend: (units) => void spent.push(units),
    printed: new PrintedOutput(),
  };
  instance = new WebAssembly.Instance(module, { wasi_snapshot_preview1: wasiImports(module, host) });
  const memory = instance.exports.memory as WebAssembly.Memory;
  const exported = instance.exports as Record<string, Fn>;
  return {
    call: (name, ...args) => exported[`w_${name}`](...args),
    view: new DataView(memory.buffer),
    host,
    spent,
  };
}

/** Writes iovecs at 0 for `texts`, their bytes from 1024 on; returns the count. */
function iovecs(view: DataView, texts: string[]): number {
  let at = 1024;
  texts.forEach((text, k) => {
    const bytes = new TextEncoder().encode(text);
    new Uint8Array(view.buffer, at, bytes.length).set(bytes);
    view.setUint32(8 * k, at, true);
    view.setUint32(8 * k + 4, bytes.length, true);
    at += bytes.length;
  });
  return texts.length;
}

describe("WASI preview 1, as the host supplies it", () => {
  it("fd_write keeps what goes to stdout and stderr, counts the bytes, and refuses other descriptors", () => {
    const { call, view, host } = wasiInstance();
    const texts = ["thread 'main' panicked at ", "'boom', src/lib.rs:3:5\n", "note: …\n"];
    const count = iovecs(view, texts);
    assert.equal(call("fd_write", 2, 0, count, 4000), 0);
    assert.equal(view.getUint32(4000, true), new TextEncoder().encode(texts.join("")).length);
    assert.equal(host.printed.text(), "thread 'main' panicked at 'boom', src/lib.rs:3:5 | note: …");
    assert.equal(call("fd_write", 1, 0, 1, 4000), 0);
    assert.match(host.printed.text(), /note: … \| thread 'main' panicked at$/);
    for (const fd of [0, 3, -1]) assert.equal(call("fd_write", fd, 0, 1, 4000), EBADF);
    assert.equal(call("fd_write", 1, 0, 5000, 4000), EINVAL); // more iovecs than stdio ever writes
    view.setUint32(0, 65_530, true); // an iovec running past the end of memory
    assert.equal(call("fd_write", 1, 0, 1, 4000), EFAULT);
    assert.equal(call("fd_write", 1, 65_534, 1, 4000), EFAULT); // the iovec array itself
    host.printed.clear();
    assert.equal(host.printed.text(), "");
  });

  it("PrintedOutput keeps the last 2 KiB, whatever the size of each write", () => {
    const printed = new PrintedOutput();
    printed.append(new TextEncoder().encode(`${"a".repeat(3000)}\n`));
    printed.append(new TextEncoder().encode("tail"));
    assert.equal(printed.text(), `${"a".repeat(2048 - 5)} | tail`);
    printed.append(new TextEncoder().encode("b".repeat(5000)));
    assert.equal(printed.text(), "b".repeat(2048));
  });

  it("an operator has no arguments, environment, files or preopened directories", () => {
    const { call, view } = wasiInstance();
    view.setUint32(100, 7, true);
    view.setUint32(104, 7, true);
    assert.equal(call("args_sizes_get", 100, 104), 0);
    assert.deepEqual([view.getUint32(100, true), view.getUint32(104, true)], [0, 0]);
    assert.equal(call("environ_sizes_get", 100, 104), 0);
    assert.deepEqual([view.getUint32(100, true), view.getUint32(104, true)], [0, 0]);
    assert.equal(call("fd_read", 0, 0, 1, 200), 0);
    assert.equal(view.getUint32(200, true), 0); // stdin is empty
    assert.equal(call("fd_read", 5, 0, 1, 200), EBADF);
    assert.equal(call("fd_prestat_get", 3, 300), EBADF); // libc stops looking for preopens here
    assert.equal(call("fd_fdstat_get", 1, 300), 0);
    assert.equal(view.getUint8(300), 2); // a character device
    assert.equal(call("fd_fdstat_get", 3, 300), EBADF);
    assert.equal(call("fd_seek", 1, 0n, 0, 400), ESPIPE);
    assert.equal(call("fd_seek", 4, 0n, 0, 400), EBADF);
    assert.equal(call("fd_close", 2), 0);
    assert.equal(call("fd_close", 9), EBADF);
    assert.equal(call("path_open", 3, 0, 0, 0, 0, 0n, 0n, 0, 0), ENOSYS); // imported, not implemented
  });

  it("clock_time_get reads the realtime clock and a monotonic one, by the millisecond, and refuses unknown clocks", () => {
    const { call, view } = wasiInstance();
    assert.equal(call("clock_time_get", 0, 1n, 500), 0);
    const realtime = view.getBigUint64(500, true);
    assert.ok(Math.abs(Number(realtime / 1_000_000n) - Date.now()) < 5_000, String(realtime));
    assert.equal(call("clock_time_get", 1, 1n, 500), 0);
    const first = view.getBigUint64(500, true);
    assert.equal(call("clock_time_get", 1, 1n, 500), 0);
    assert.ok(view.getBigUint64(500, true) >= first);
    assert.equal(view.getBigUint64(500, true) % 1_000_000n, 0n, "whole milliseconds");
    assert.equal(call("clock_res_get", 1, 508), 0);
    assert.equal(view.getBigUint64(508, true), 1_000_000n);
    assert.equal(call("clock_time_get", 7, 1n, 500), EINVAL);
    assert.equal(call("clock_time_get", 0, 1n, 65_532), EFAULT);
  });

  it("random_get gives every instance the same sequence, charges fuel by the byte, and refuses addresses outside memory", () => {
    const first = wasiInstance();
    const second = wasiInstance();
    assert.equal(first.call("random_get", 600, 37), 0);
    assert.equal(second.call("random_get", 600, 37), 0);
    const bytes = (v: DataView) => [...new Uint8Array(v.buffer, 600, 37)];
    assert.deepEqual(bytes(first.view), bytes(second.view));
    assert.ok(new Set(bytes(first.view)).size > 20, "the bytes vary");
    assert.equal(first.call("random_get", 600, 37), 0);
    assert.notDeepEqual(bytes(first.view), bytes(second.view)); // the sequence moves on
    assert.deepEqual(first.spent, [HOST_CALL_FUEL, 37 * 4, HOST_CALL_FUEL, 37 * 4]);
    assert.equal(first.call("random_get", 65_500, 100), EFAULT);
  });

  it("every call spends HOST_CALL_FUEL first, implemented or not: a loop of calls cannot outlive its fuel", () => {
    const { call, spent } = wasiInstance();
    call("args_sizes_get", 100, 104);
    call("fd_seek", 1, 0n, 0, 400);
    call("path_open", 3, 0, 0, 0, 0, 0n, 0n, 0, 0);
    assert.deepEqual(spent, [HOST_CALL_FUEL, HOST_CALL_FUEL, HOST_CALL_FUEL]);
  });

  it("proc_exit throws OperatorExit with the status", () => {
    const { call } = wasiInstance();
    assert.throws(
      () => call("proc_exit", 3),
      (error: unknown) =>
        error instanceof OperatorExit && error.code === 3 && /proc_exit\(3\)/.test(error.message),
    );
  });
});
