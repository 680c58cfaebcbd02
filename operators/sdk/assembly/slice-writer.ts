// One output slice being written: a write cursor inside a capacity reserved by `BatchWriter.open()`.
// Builders (string-builder.ts, column-builder.ts) move the cursor; the writer frames the slice.

/** Write cursor of one slice: data goes to `[base, limit)`, `cursor` is the next free byte. */
@final
export class SliceWriter {
  base: usize = 0;
  cursor: usize = 0;
  limit: usize = 0;
  overflowed: bool = false;
  next: SliceWriter | null = null;

  constructor(public readonly capacity: usize) {}

  /** Bytes written so far. */
  @inline get byteLength(): usize {
    return this.cursor - this.base;
  }

  /** Reserves `n` bytes and returns their address, or 0 (and marks overflow) when capacity is short. */
  @inline take(n: usize): usize {
    const at = this.cursor;
    if (at + n > this.limit) {
      this.overflowed = true;
      return 0;
    }
    this.cursor = at + n;
    return at;
  }
}
