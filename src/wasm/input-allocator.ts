// Where a colwasm/1 instance's input goes: `reset` after its first batch, then `alloc`, checked;
// a large input copied from another operator's memory is moved, where the operator's allocator
// allows, to where that copy avoids 4K aliasing (src/wasm/copy-placement.ts).
import { isFastCopyPlacement, PLACED_COPY_MIN_BYTES, placementPad } from "./copy-placement.ts";
import type { OperatorCalls } from "./operator-calls.ts";
import { WASM_PAGE_BYTES } from "./operator-limits.ts";

/** Allocates one instance's input regions through its own `reset` and `alloc`. */
export class InputAllocator {
  readonly #calls: OperatorCalls;
  #hasAllocated = false;
  /**
   * Placement needs a `reset` that rewinds the allocator: `"seen"` once a reset was followed by the
   * same first address as the batch before, `"off"` once a placement showed it does not, and until
   * then the first address after a reset.
   */
  #rewind: number | "seen" | "off" | undefined;

  constructor(calls: OperatorCalls) {
    this.#calls = calls;
  }

  /**
   * Resets the instance (after its first batch) and allocates its input region. `source`: the
   * address the input will be copied from, when it lies in another operator's memory; the region is
   * then moved, where the allocator allows, to where that copy avoids 4K aliasing.
   */
  allocInput(len: number, source?: number): number {
    const calls = this.#calls;
    const reset = calls.exports.reset;
    // after any earlier alloc, even one whose batch was then refused
    if (this.#hasAllocated && reset !== undefined) calls.call("reset", () => reset());
    this.#hasAllocated = true;
    const ptr = this.#allocChecked(len);
    if (typeof this.#rewind !== "string") this.#rewind = this.#rewind === ptr ? "seen" : ptr;
    if (
      source === undefined ||
      this.#rewind !== "seen" ||
      len < PLACED_COPY_MIN_BYTES ||
      isFastCopyPlacement(ptr, source)
    )
      return ptr;
    return this.#placeForCopy(len, ptr, source);
  }

  /**
   * Allocates the input region again `placementPad` bytes on (after a block of that size, as a bump
   * allocator hands out), if that lands where the copy from `source` runs at full speed; else
   * allocates it where it was (what any allocator that resets to the same state answers again).
   * Only for allocators whose reset was seen to rewind (else the first region would leak), and
   * with room to spare under the memory cap, so the extra block never costs a batch that fits.
   */
  #placeForCopy(len: number, ptr: number, source: number): number {
    const calls = this.#calls;
    const { alloc, reset, memory } = calls.exports;
    const pad = placementPad(ptr, source);
    if (alloc === undefined || reset === undefined || ptr + pad + len + WASM_PAGE_BYTES > calls.capBytes)
      return ptr;
    calls.call("reset", () => reset());
    if (calls.address("alloc", () => alloc(pad)) !== ptr) {
      // the pad block did not start where the input did: this reset does not rewind; never again
      this.#rewind = "off";
      calls.call("reset", () => reset());
      return this.#allocChecked(len);
    }
    const moved = calls.address("alloc", () => alloc(len));
    const isRegion = moved !== 0 && moved % 8 === 0 && moved + len <= memory.buffer.byteLength;
    if (isRegion && isFastCopyPlacement(moved, source)) return moved;
    calls.call("reset", () => reset());
    return this.#allocChecked(len);
  }

  /** `alloc(len)`, checked: a non-zero 8-aligned region inside memory, or the operator's failure. */
  #allocChecked(len: number): number {
    const calls = this.#calls;
    const alloc = calls.exports.alloc;
    if (alloc === undefined) throw calls.fail("invalid-output", "it exports no alloc");
    const pagesBefore = calls.pages();
    const ptr = calls.address("alloc", () => alloc(len), pagesBefore);
    // an input larger than the memory cap leaves room: alloc fails its memory.grow and answers 0
    if (ptr === 0 && (calls.nearMemoryCap(pagesBefore) || len > calls.capBytes)) {
      throw calls.fail(
        "memory",
        `the input (${len} bytes) does not fit under the memory limit of ${calls.limits.maxMemoryPages} pages`,
      );
    }
    if (ptr === 0 || ptr % 8 !== 0 || ptr + len > calls.exports.memory.buffer.byteLength) {
      throw calls.fail(
        "invalid-output",
        `alloc(${len}) returned ${ptr}, not a non-zero 8-aligned address inside memory`,
      );
    }
    return ptr;
  }
}
