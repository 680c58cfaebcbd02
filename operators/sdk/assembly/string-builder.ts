// Builder of a String output column (spec/columnar-format.md §4.2): a bounds slice of u64 cumulative
// end offsets (no leading 0) and a bytes slice. Bytes are copied in, bounds written per record.

import { StringColumn } from "./columns";
import { SliceWriter } from "./slice-writer";

/** Appends strings to a String output column, without per-record allocation. */
@final
export class StringBuilder {
  constructor(public readonly bounds: SliceWriter, public readonly bytes: SliceWriter) {}

  /** Number of strings written. */
  @inline get length(): i32 {
    return <i32>(this.bounds.byteLength >> 3);
  }

  /** Appends the string at `[src, src + byteLength)`; false when capacity is exceeded. */
  @inline push(src: usize, byteLength: usize): bool {
    return this.appendBytes(src, byteLength) && this.endString();
  }

  /** Appends string `i` of `column`. */
  @inline pushFrom(column: StringColumn, i: i32): bool {
    const start = column.start(i);
    return this.push(column.bytesPtr + start, column.end(i) - start);
  }

  /** Appends raw bytes to the string being built (finish it with `endString`). */
  @inline appendBytes(src: usize, byteLength: usize): bool {
    const at = this.bytes.take(byteLength);
    if (at == 0) return byteLength == 0;
    copySmall(at, src, byteLength);
    return true;
  }

  /** Ends the current string at the bytes written so far (an empty string if none were). */
  @inline endString(): bool {
    const at = this.bounds.take(8);
    if (at == 0) return false;
    store<u64>(at, <u64>this.bytes.byteLength);
    return true;
  }

  /** Appends every string of `column` with two memory.copy calls (bounds stay valid: same bytes). */
  copyFrom(column: StringColumn): bool {
    const offset = <u64>this.bytes.byteLength;
    const n = <usize>column.length;
    const boundsAt = this.bounds.take(n << 3);
    const bytesAt = this.bytes.take(column.bytesLength);
    if ((boundsAt == 0 && n != 0) || (bytesAt == 0 && column.bytesLength != 0)) return false;
    memory.copy(bytesAt, column.bytesPtr, column.bytesLength);
    if (offset == 0) {
      memory.copy(boundsAt, column.boundsPtr, n << 3);
    } else {
      for (let i: usize = 0; i < n; i++) {
        store<u64>(boundsAt + (i << 3), load<u64>(column.boundsPtr + (i << 3)) + offset);
      }
    }
    return true;
  }
}

/** memory.copy has a fixed call cost in engines; words are short, so copy those byte by byte. */
@inline
function copySmall(dst: usize, src: usize, n: usize): void {
  if (n > 16) {
    memory.copy(dst, src, n);
    return;
  }
  for (let i: usize = 0; i < n; i++) store<u8>(dst + i, load<u8>(src + i));
}
