// Cursor over the slices of a format-0.1 input batch (spec/columnar-format.md §5.1): each slice is
// a u64 LE byte length, the bytes, then zero padding to 8. It yields column views, never copies.
// The host validates every batch before an operator sees it, so only O(columns) checks run here.

import { fail } from "./abi";
import { Column, StringColumn } from "./columns";

/** Reads the columns of one batch in schema order; call `finish()` before trusting the views. */
@final
export class BatchReader {
  private cursor: usize;
  private readonly end: usize;
  private failed: bool = false;
  /** Record count shared by every column read with `string()` / `column<T>()` (-1 before the first). */
  records: i32 = -1;
  /** Address and byte length of the slice returned by the last `slice()` call. */
  slicePtr: usize = 0;
  sliceLength: usize = 0;

  constructor(ptr: i32, len: i32) {
    this.cursor = <usize>ptr;
    this.end = <usize>ptr + <usize>(<u32>len);
  }

  /** Steps over the next slice and returns its byte length (its data is at `slicePtr`). */
  slice(elemSize: usize): usize {
    if (this.failed) return 0;
    if (this.cursor + 8 > this.end)
      return this.stop("Cannot read batch: it ends before a slice's length word");
    const length = load<u64>(this.cursor);
    const left = <u64>(this.end - this.cursor - 8);
    if (length > left) return this.stop("Cannot read batch: a slice length runs past the end of the input");
    if (<usize>length % elemSize != 0)
      return this.stop("Cannot read batch: a slice length is not a multiple of its element size");
    this.slicePtr = this.cursor + 8;
    this.sliceLength = <usize>length;
    this.cursor = this.slicePtr + ((<usize>length + 7) & ~7);
    return <usize>length;
  }

  /** Next column as a primitive column of T (one slice). */
  column<T>(): Column<T> {
    const byteLength = this.slice(sizeof<T>());
    const n = <i32>(byteLength / sizeof<T>());
    this.count(n);
    return new Column<T>(this.slicePtr, n);
  }

  /** Next column as `i64`. */
  @inline i64(): Column<i64> {
    return this.column<i64>();
  }

  /** Next column as `u64`. */
  @inline u64(): Column<u64> {
    return this.column<u64>();
  }

  /** Next column as `String` (two slices: bounds, bytes). */
  string(): StringColumn {
    const boundsLength = this.slice(8);
    const boundsPtr = this.slicePtr;
    const bytesLength = this.slice(1);
    const bytesPtr = this.slicePtr;
    const n = <i32>(boundsLength >> 3);
    const last: u64 = n == 0 ? 0 : load<u64>(boundsPtr + boundsLength - 8);
    if (!this.failed && last != <u64>bytesLength)
      this.stop("Cannot read String column: its last bound is not its byte length");
    this.count(n);
    return new StringColumn(boundsPtr, bytesPtr, bytesLength, this.failed ? 0 : n);
  }

  /** True when every read succeeded, counts agree and the input is exhausted; else `fail` was called. */
  finish(): bool {
    if (!this.failed && this.cursor != ((this.end + 7) & ~7) && this.cursor != this.end) {
      this.stop("Cannot read batch: bytes remain after the last slice of the declared schema");
    }
    return !this.failed;
  }

  private count(n: i32): void {
    if (this.failed) return;
    if (this.records < 0) this.records = n;
    else if (this.records != n) this.stop("Cannot read batch: its columns have different record counts");
  }

  private stop(message: string): usize {
    if (!this.failed) fail(message);
    this.failed = true;
    this.slicePtr = 0;
    this.sliceLength = 0;
    return 0;
  }
}
