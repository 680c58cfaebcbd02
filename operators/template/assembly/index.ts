// NAME: (String, i64) -> (String, i64) colwasm/1 operator scaffolded by `colwasm new`.
// Replace the body of `act`; keep the re-exported ABI. Build with `colwasm build` (asc --runtime stub).

import { BatchReader, BatchWriter } from "../../sdk/assembly";
export { alloc, reset, error } from "../../sdk/assembly";

/** colwasm/1 `act`: reads the input batch at [ptr, ptr + len), returns the output batch address or 0. */
export function act(ptr: i32, len: i32): i32 {
  const input = new BatchReader(ptr, len);
  const text = input.string();
  const diff = input.i64();
  if (!input.finish()) return 0; // error() explains why

  // Declare every output column with its maximum size, then open() reserves them at once.
  const out = new BatchWriter();
  const texts = out.string(text.length, text.bytesLength);
  const diffs = out.i64(text.length);
  out.open();

  for (let i = 0; i < text.length; i++) {
    // Example: copy each record through unchanged. Use text.ptrOf(i) / text.byteLength(i) for bytes.
    texts.pushFrom(text, i);
    diffs.push(diff.get(i));
  }
  return out.finish(); // frames the slices as a format-0.1 batch
}
