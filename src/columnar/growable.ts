// Append-only typed arrays for building columns from rows: amortised doubling, one final view.

type TypedArrayCtor<T> = { new (length: number): T; readonly BYTES_PER_ELEMENT: number };

/** A typed array that grows by doubling; `view()` returns the filled prefix without copying. */
export class Growable<
  T extends
    | Uint8Array
    | Int8Array
    | Uint16Array
    | Int16Array
    | Uint32Array
    | Int32Array
    | Float32Array
    | Float64Array
    | BigInt64Array
    | BigUint64Array,
> {
  readonly #ctor: TypedArrayCtor<T>;
  #array: T;
  length = 0;

  constructor(ctor: TypedArrayCtor<T>, capacity = 16) {
    this.#ctor = ctor;
    this.#array = new ctor(capacity);
  }

  /** Makes room for `extra` more elements and returns the backing array. */
  reserve(extra: number): T {
    if (this.length + extra > this.#array.length) {
      let capacity = this.#array.length * 2;
      while (capacity < this.length + extra) capacity *= 2;
      const next = new this.#ctor(capacity);
      next.set(this.#array as never);
      this.#array = next;
    }
    return this.#array;
  }

  push(value: T[number]): void {
    this.reserve(1)[this.length++] = value;
  }

  /** The filled prefix. */
  view(): T {
    return this.#array.subarray(0, this.length) as T;
  }
}
