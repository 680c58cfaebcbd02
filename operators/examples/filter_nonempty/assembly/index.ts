// filter_nonempty: (String, i64) -> (String, i64), keeps the records whose text is non-empty.
// Empty strings own no bytes, so the bytes column is copied whole and kept bounds keep their values.

import { BatchReader, BatchWriter } from "../../../sdk/assembly";
export { alloc, reset, error } from "../../../sdk/assembly";

/** colwasm/1 `act`: writes the kept records into a new batch. */
export function act(ptr: i32, len: i32): i32 {
  const input = new BatchReader(ptr, len);
  const text = input.string();
  const diff = input.i64();
  if (!input.finish()) return 0;
  const n = text.length;
  const bounds = text.boundsPtr;

  let kept = 0;
  let previous: u64 = 0;
  for (let i = 0; i < n; i++) {
    const end = load<u64>(bounds + ((<usize>i) << 3));
    if (end != previous) kept++;
    previous = end;
  }

  const out = new BatchWriter();
  const texts = out.string(kept, text.bytesLength);
  const diffs = out.i64(kept);
  out.open();
  texts.appendBytes(text.bytesPtr, text.bytesLength);
  const keptBounds = texts.bounds.base;
  const keptDiffs = diffs.ptr;
  let k: usize = 0;
  previous = 0;
  for (let i = 0; i < n; i++) {
    const end = load<u64>(bounds + ((<usize>i) << 3));
    if (end != previous) {
      store<u64>(keptBounds + (k << 3), end);
      store<i64>(keptDiffs + (k << 3), diff.get(i));
      k++;
    }
    previous = end;
  }
  texts.bounds.cursor = keptBounds + (k << 3);
  diffs.setLength(<i32>k);
  return out.finish();
}
