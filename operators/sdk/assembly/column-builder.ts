// Builder of a primitive output column (`i64`, `u64`, `f64`, …): one slice of `length` values of T.

import { Column } from "./columns";
import { SliceWriter } from "./slice-writer";

/** Appends values of T to one output slice; `ptr`/`set` allow random-access writes before `setLength`. */
@final
export class ColumnBuilder<T> {
  constructor(public readonly slice: SliceWriter) {}

  /** Address of value 0 (valid after `BatchWriter.open()`). */
  @inline get ptr(): usize {
    return this.slice.base;
  }

  /** Number of values written. */
  @inline get length(): i32 {
    return <i32>(this.slice.byteLength / sizeof<T>());
  }

  /** Appends one value; false when the reserved capacity is exceeded. */
  @inline push(value: T): bool {
    const at = this.slice.take(sizeof<T>());
    if (at == 0) return false;
    store<T>(at, value);
    return true;
  }

  /** Writes value `i` directly (call `setLength` once the values are in place). */
  @inline set(i: i32, value: T): void {
    store<T>(this.slice.base + <usize>i * sizeof<T>(), value);
  }

  /** Declares that values `0 .. n` have been written with `set`. */
  setLength(n: i32): bool {
    const byteLength = <usize>n * sizeof<T>();
    if (byteLength > this.slice.limit - this.slice.base) {
      this.slice.overflowed = true;
      return false;
    }
    this.slice.cursor = this.slice.base + byteLength;
    return true;
  }

  /** Appends every value of `column` with one memory.copy. */
  copyFrom(column: Column<T>): bool {
    const byteLength = <usize>column.length * sizeof<T>();
    const at = this.slice.take(byteLength);
    if (at == 0) return byteLength == 0;
    memory.copy(at, column.ptr, byteLength);
    return true;
  }
}
