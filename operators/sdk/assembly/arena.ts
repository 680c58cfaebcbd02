// The operator's memory arena: every byte the SDK hands out (input buffer, output batch, error text)
// is bumped off the `--runtime stub` heap (AssemblyScript std/assembly/rt/stub.ts), which calls
// memory.grow when the bump pointer passes the end, and is freed at once by `arenaReset`.
//
// Rule for operator authors: allocate nothing at module level (top-level `new`, arrays, strings
// built at start-up). `reset` rewinds the heap to its start, so such objects would be overwritten.
// Put constant tables in `memory.data(...)` (static data segment) instead.

/** Returns the address of `size` fresh bytes, 16-aligned (so 8-aligned as colwasm/1 requires). */
@inline
export function arenaAlloc(size: usize): usize {
  // The stub traps (unreachable) when memory cannot grow; the host reports that as a failure.
  return heap.alloc(size);
}

/** Frees everything allocated since the last reset (the stub's bump pointer goes back to its start). */
@inline
export function arenaReset(): void {
  __reset();
}
