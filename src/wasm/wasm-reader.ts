// A bounds-checked cursor over WebAssembly binary bytes (LEB128 integers, bytes, names) and the
// matching LEB128 writer. Every read that would run past the end throws `InvalidOperatorError`
// with rule "not-wasm", so a hostile module can neither loop a parser forever nor read past it.
import { InvalidOperatorError } from "./operator-error.ts";

/**
 * Value types of the core spec with reference types and SIMD (binary/types.html#value-types), and
 * exception handling's exnref (0x69).
 */
const VALUE_TYPES: ReadonlySet<number> = new Set([0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f, 0x69]);

/** A cursor over `bytes`; it only moves forward and never past `bytes.length`. */
export class WasmReader {
  readonly bytes: Uint8Array;
  /** Where `bytes[0]` sits in the whole module, so errors name module offsets. */
  readonly base: number;
  at = 0;

  constructor(bytes: Uint8Array, base = 0) {
    this.bytes = bytes;
    this.base = base;
  }

  /** Whether every byte has been read. */
  get isDone(): boolean {
    return this.at >= this.bytes.length;
  }

  /** Throws the "not-wasm" error for a module that ends or breaks at the cursor. */
  fail(what: string): never {
    throw new InvalidOperatorError(`Cannot read the module: ${what} at byte ${this.base + this.at}`, {
      rule: "not-wasm",
    });
  }

  /** One byte. */
  byte(): number {
    if (this.at >= this.bytes.length) this.fail("it ends early");
    return this.bytes[this.at++];
  }

  /** A view of the next `length` bytes (no copy). */
  take(length: number): Uint8Array {
    if (length > this.bytes.length - this.at) this.fail(`${length} bytes run past the end`);
    const view = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return view;
  }

  /** An unsigned LEB128 `u32` (at most 5 bytes, value below 2^32). */
  u32(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      value += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (value > 0xffffffff) this.fail("a u32 is out of range");
        return value;
      }
    }
    return this.fail("a LEB128 number is longer than 5 bytes");
  }

  /**
   * A signed LEB128 integer of at most `bits` bits (32, 33 or 64). Exact for values that fit a
   * double (block types, type indices); for `i64.const` only the encoding length matters.
   */
  signed(bits: 32 | 33 | 64): number {
    const maxBytes = Math.ceil(bits / 7);
    let value = 0;
    for (let i = 0; i < maxBytes; i++) {
      const b = this.byte();
      value += (b & 0x7f) * 2 ** (7 * i);
      if ((b & 0x80) === 0) {
        return (b & 0x40) !== 0 ? value - 2 ** (7 * (i + 1)) : value;
      }
    }
    return this.fail(`a signed LEB128 number is longer than ${maxBytes} bytes`);
  }

  /** A value type byte (numeric, `v128`, `funcref`, `externref`); typed references are refused. */
  valueType(): number {
    const t = this.byte();
    if (!VALUE_TYPES.has(t)) this.fail(`unknown value type 0x${t.toString(16)}`);
    return t;
  }

  /** A name: a u32 length and that many UTF-8 bytes (returned as a view, not decoded). */
  name(): Uint8Array {
    return this.take(this.u32());
  }
}

/** The unsigned LEB128 encoding of `value` (a non-negative integer below 2^53). */
export function encodeU32(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return out;
}

/** The signed LEB128 encoding of `value` (an integer between -2^53 and 2^53). */
export function encodeSigned(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = ((value % 128) + 128) % 128;
    value = Math.floor(value / 128);
    const isLast = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
    out.push(isLast ? byte : byte | 0x80);
    if (isLast) return out;
  }
}

/** `parts` joined into one new module buffer (rewriting a module: once, at upload or build time). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at); // copy: assembling a rewritten module once, at upload/build time
    at += p.length;
  }
  return out;
}
