// Where a hop puts its input so that its one memcpy runs at memcpy speed. A CPU copying forward
// checks each load against its pending stores by the low 12 address bits first; when the
// destination lies a little ahead of the source modulo 4 KiB, loads falsely wait on those stores
// ("4K aliasing"). Measured on this project's machine (AMD EPYC, V8's memmove, 1.95 MB between two
// WASM memories, ratios to a memcpy): destination 256-1024 bytes ahead modulo 4 KiB 1.5-1.7×,
// 0-16 ahead 1.1-1.25×, 1.5-4 KiB ahead (that is, up to 2.5 KiB behind) 1.0×.

/** Inputs smaller than this are not worth the extra `reset` and `alloc` calls. */
export const PLACED_COPY_MIN_BYTES = 64 * 1024;

/** The most a placement moves an input by (`placementPad` is below it). */
export const PLACEMENT_ROOM_BYTES = 4096;

const ALIAS_SPAN = 4096;
/** Distance of destination ahead of source, modulo 4 KiB, from which copies run at full speed. */
const FAST_FROM = 1536;
/** The distance placement aims at: mid-way in the fast band (1 KiB behind the source). */
const TARGET = 3072;

/** True when a copy from address `source` to address `destination` avoids 4K aliasing. */
export function isFastCopyPlacement(destination: number, source: number): boolean {
  return ((destination - source) & (ALIAS_SPAN - 1)) >= FAST_FROM;
}

/** Bytes to move `destination` up by so that it lies at the target distance from `source`. */
export function placementPad(destination: number, source: number): number {
  return (TARGET - ((destination - source) & (ALIAS_SPAN - 1))) & (ALIAS_SPAN - 1);
}

/**
 * Where in a region the host owns (`bytes` long from `start`) a `len`-byte input copied from
 * `source` goes: moved into the fast band when it is large and the region has the room.
 */
export function placeInRegion(start: number, bytes: number, len: number, source: number | undefined): number {
  if (source === undefined || len < PLACED_COPY_MIN_BYTES) return start;
  const pad = placementPad(start, source);
  return bytes >= len + pad ? start + pad : start;
}

// WASM memories start on a page boundary, so a view's byteOffset there is its address modulo
// 4 KiB; a JS buffer's backing store may start anywhere, so its offsets say nothing.
const memoryBuffers = new WeakSet<ArrayBufferLike>();

/** Records that `buffer` is (the current buffer of) a WASM memory. */
export function noteMemoryBuffer(buffer: ArrayBufferLike): void {
  memoryBuffers.add(buffer);
}

/** The address of `view` when it lies in a WASM memory noted before, else undefined. */
export function memoryAddressOf(view: Uint8Array | undefined): number | undefined {
  return view !== undefined && memoryBuffers.has(view.buffer) ? view.byteOffset : undefined;
}
