// len_plus_diff: (String, i64) -> (String, i64), diff := byte_length(text) + diff (wrapping i64).
// Works in place: the output batch is the input buffer with its i64 column rewritten, so no copy.

import { BatchReader } from "../../../sdk/assembly";
export { alloc, reset, error } from "../../../sdk/assembly";

/** colwasm/1 `act`: returns `ptr` itself, the batch now holding the new diffs. */
export function act(ptr: i32, len: i32): i32 {
  const input = new BatchReader(ptr, len);
  const text = input.string();
  const diff = input.i64();
  if (!input.finish()) return 0;
  const bounds = text.boundsPtr;
  const diffs = diff.ptr;
  const n = <usize>text.length;
  let previous: u64 = 0;
  for (let i: usize = 0; i < n; i++) {
    const end = load<u64>(bounds + (i << 3));
    const at = diffs + (i << 3);
    store<i64>(at, load<i64>(at) + <i64>(end - previous));
    previous = end;
  }
  return ptr;
}
