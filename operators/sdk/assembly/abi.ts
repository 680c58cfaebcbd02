// The `colwasm/1` exports every operator re-exports next to its own `act`: alloc, reset and error
// (spec/operator-abi.md). `fail` records the message that `error()` returns after `act` returned 0.

import { arenaAlloc, arenaReset } from "./arena";

// error() must always return a valid address: a u64 zero length lives in static data.
const EMPTY_MESSAGE: usize = memory.data(8, 8);
let lastError: usize = EMPTY_MESSAGE;

/** colwasm/1 `alloc`: non-zero, 8-aligned address with `size` writable bytes. */
export function alloc(size: i32): i32 {
  return <i32>arenaAlloc(<usize>(<u32>size));
}

/** colwasm/1 `reset`: frees everything allocated since the last reset, error text included. */
export function reset(): void {
  arenaReset();
  lastError = EMPTY_MESSAGE;
}

/** colwasm/1 `error`: address of a u64 LE byte length followed by the UTF-8 message. */
export function error(): i32 {
  return <i32>lastError;
}

/** Records `message` for `error()` and returns 0, so `act` can `return fail("...")`. */
export function fail(message: string): i32 {
  const byteLength = <usize>String.UTF8.byteLength(message);
  const at = arenaAlloc(8 + byteLength);
  store<u64>(at, <u64>byteLength);
  String.UTF8.encodeUnsafe(changetype<usize>(message), message.length, at + 8);
  lastError = at;
  return 0;
}

/** True once `fail` has been called since the last reset. */
export function hasFailed(): bool {
  return lastError != EMPTY_MESSAGE;
}
