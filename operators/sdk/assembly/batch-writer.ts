// Output builder: declares the output columns with their capacities, reserves one arena block for
// all slices (`open`), and frames them as a format-0.1 batch (`finish`): per slice a u64 byte
// length, the data, zero padding to 8 — exactly the bytes of the Rust `columnar` 0.1 encoder.

import { fail } from "./abi";
import { arenaAlloc } from "./arena";
import { ColumnBuilder } from "./column-builder";
import { SliceWriter } from "./slice-writer";
import { StringBuilder } from "./string-builder";

/** Builds one output batch: declare columns in schema order, `open()`, write, then `finish()`. */
@final
export class BatchWriter {
  private first: SliceWriter | null = null;
  private last: SliceWriter | null = null;
  private isOpen: bool = false;

  /** Declares a String column of at most `maxCount` strings and `maxBytes` bytes in total. */
  string(maxCount: i32, maxBytes: usize): StringBuilder {
    const bounds = this.add((<usize>maxCount) << 3);
    return new StringBuilder(bounds, this.add(maxBytes));
  }

  /** Declares a primitive column of at most `maxCount` values of T. */
  column<T>(maxCount: i32): ColumnBuilder<T> {
    return new ColumnBuilder<T>(this.add(<usize>maxCount * sizeof<T>()));
  }

  /** Declares an `i64` column. */
  @inline i64(maxCount: i32): ColumnBuilder<i64> {
    return this.column<i64>(maxCount);
  }

  /** Declares a `u64` column. */
  @inline u64(maxCount: i32): ColumnBuilder<u64> {
    return this.column<u64>(maxCount);
  }

  /** Reserves one block for every declared slice, each behind room for its length word. True when reserved (the stub heap traps instead of failing, see arena.ts). */
  open(): bool {
    let total: usize = 0;
    let next = this.first;
    while (next != null) {
      const s = changetype<SliceWriter>(next);
      total += 8 + ((s.capacity + 7) & ~7);
      next = s.next;
    }
    let at = arenaAlloc(total);
    next = this.first;
    while (next != null) {
      const s = changetype<SliceWriter>(next);
      s.base = s.cursor = at + 8;
      s.limit = s.base + s.capacity;
      at = s.base + ((s.capacity + 7) & ~7);
      next = s.next;
    }
    this.isOpen = true;
    return true;
  }

  /** Frames the slices (moving them down when they used less than their capacity) and returns the batch address, or 0 after `fail`. */
  finish(): i32 {
    if (!this.isOpen) return fail("Cannot finish output batch: open() was not called");
    let next = this.first;
    if (next == null) return fail("Cannot finish output batch: no columns were declared");
    const start = changetype<SliceWriter>(next).base - 8;
    let dst = start;
    while (next != null) {
      const s = changetype<SliceWriter>(next);
      next = s.next;
      if (s.overflowed) return fail("Cannot write output batch: a column exceeded the capacity it declared");
      const byteLength = s.byteLength;
      store<u64>(dst, <u64>byteLength);
      if (dst + 8 != s.base) memory.copy(dst + 8, s.base, byteLength);
      const padded = (byteLength + 7) & ~7;
      memory.fill(dst + 8 + byteLength, 0, padded - byteLength);
      dst += 8 + padded;
    }
    return <i32>start;
  }

  private add(capacity: usize): SliceWriter {
    const slice = new SliceWriter(capacity);
    const last = this.last;
    if (last == null) this.first = slice;
    else last.next = slice;
    this.last = slice;
    return slice;
  }
}
