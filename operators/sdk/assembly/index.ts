// Public surface of the colwasm AssemblyScript operator SDK. An operator file re-exports the ABI
// (`export { alloc, reset, error } from ".../sdk/assembly"`) and defines `act(ptr, len): i32`.
// Build with `asc --runtime stub` (see arena.ts for the one rule that implies).

export { alloc, reset, error, fail, hasFailed } from "./abi";
export { arenaAlloc } from "./arena";
export { BatchReader } from "./batch-reader";
export { BatchWriter } from "./batch-writer";
export { straddle } from "./simd";
export { Column, StringColumn } from "./columns";
export { ColumnBuilder } from "./column-builder";
export { StringBuilder } from "./string-builder";
export { SliceWriter } from "./slice-writer";
