// Read views over the columns of an input batch: pointer + length, no per-record objects.
// Layouts are spec/columnar-format.md §4.1 (primitives) and §4.2 (String: u64 end offsets, no leading 0).

/** A primitive column (`u8` … `i64`, `f32`, `f64`): `length` values of T starting at `ptr`. */
@final
export class Column<T> {
  constructor(
    public readonly ptr: usize,
    public readonly length: i32,
  ) {}

  /** Value of record `i` (no bounds check). */
  @inline get(i: i32): T {
    return load<T>(this.ptr + <usize>i * sizeof<T>());
  }

  /** Overwrites record `i` in place (operators may reuse their input buffer for output). */
  @inline set(i: i32, value: T): void {
    store<T>(this.ptr + <usize>i * sizeof<T>(), value);
  }
}

/** A String column: `bounds[i]` is where string i ends in `bytes` (cumulative, no leading 0). */
@final
export class StringColumn {
  constructor(
    public readonly boundsPtr: usize,
    public readonly bytesPtr: usize,
    public readonly bytesLength: usize,
    public readonly length: i32,
  ) {}

  /** Byte offset (within `bytes`) where string `i` ends. */
  @inline end(i: i32): usize {
    return <usize>load<u64>(this.boundsPtr + ((<usize>i) << 3));
  }

  /** Byte offset (within `bytes`) where string `i` starts: the previous bound, 0 for the first. */
  @inline start(i: i32): usize {
    return i == 0 ? 0 : <usize>load<u64>(this.boundsPtr + ((<usize>i - 1) << 3));
  }

  /** Address of the first byte of string `i`. */
  @inline ptrOf(i: i32): usize {
    return this.bytesPtr + this.start(i);
  }

  /** UTF-8 byte length of string `i`. */
  @inline byteLength(i: i32): usize {
    return this.end(i) - this.start(i);
  }
}
