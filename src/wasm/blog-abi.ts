// The seed's `blog` ABI: the input is written into fresh pages the host grows for it (never at
// address 0), `act(ptr, len)` returns the address of n u64 values that replace the batch's last
// column (spec/operator-abi.md). The host owns those pages, so it places large inputs itself.
import { BatchError, decodeSlices, type Schema } from "../columnar/index.ts";
import type { CopyMeter } from "./copy-meter.ts";
import {
  memoryAddressOf,
  PLACED_COPY_MIN_BYTES,
  PLACEMENT_ROOM_BYTES,
  placeInRegion,
} from "./copy-placement.ts";
import { copyInputIn, inputLayout } from "./input-layout.ts";
import type { OperatorBatch } from "./operator-batch.ts";
import type { OperatorCalls } from "./operator-calls.ts";
import { WASM_PAGE_BYTES } from "./operator-limits.ts";

/** Runs batches through one blog-ABI instance, reusing the input region it grew. */
export class BlogAbiRunner {
  readonly #calls: OperatorCalls;
  readonly #output: Schema;
  #region = { ptr: 0, bytes: 0 };

  constructor(calls: OperatorCalls, output: Schema) {
    this.#calls = calls;
    this.#output = output;
  }

  run(input: OperatorBatch, meter: CopyMeter): OperatorBatch {
    const calls = this.#calls;
    const { act, memory } = calls.exports;
    const layout = inputLayout(input);
    const { slices, byteLength: len } = layout;
    // with room to place a large input, where that still fits under the cap
    if (this.#region.bytes < len) this.#grow(len, len >= PLACED_COPY_MIN_BYTES ? PLACEMENT_ROOM_BYTES : 0);
    const region = this.#region;
    const ptr = placeInRegion(region.ptr, region.bytes, len, memoryAddressOf(layout.contiguous));
    copyInputIn(memory, layout, ptr, meter);
    const out = calls.address("act", () => act(ptr, len));
    if (out === 0) throw calls.fail("error", `act returned 0${calls.printedSuffix()}`);
    const bytes = new Uint8Array(memory.buffer);
    const valueBytes = input.length * 8;
    if (out + valueBytes > bytes.length) {
      throw calls.fail(
        "invalid-output",
        `act returned address ${out}, but ${input.length} values do not fit before the end of memory`,
      );
    }
    let values = bytes.subarray(out, out + valueBytes);
    if (out % 8 !== 0) {
      values = new Uint8Array(valueBytes);
      meter.copy(values, 0, bytes.subarray(out, out + valueBytes)); // copy: unaligned result, views need 8-alignment
    }
    const outSlices = [...slices.slice(0, -1), values];
    try {
      const column = decodeSlices(outSlices, this.#output, "0.1");
      return { schema: this.#output, format: "0.1", length: column.length, column, slices: outSlices };
    } catch (error) {
      if (!(error instanceof BatchError)) throw error;
      throw calls.fail("invalid-output", `its output is not a valid batch: ${error.message}`, error);
    }
  }

  /** Grows memory so the input region (never at address 0) holds `bytes`, and `room` more where that fits under the cap. */
  #grow(bytes: number, room: number): void {
    const calls = this.#calls;
    const memory = calls.exports.memory;
    const start = Math.max(memory.buffer.byteLength, WASM_PAGE_BYTES);
    const roomy = start + bytes + room <= calls.capBytes;
    const pages = Math.ceil((start + bytes + (roomy ? room : 0)) / WASM_PAGE_BYTES) - calls.pages();
    if (calls.pages() + pages > calls.limits.maxMemoryPages) {
      throw calls.fail(
        "memory",
        `the input (${bytes} bytes) does not fit under the memory limit of ${calls.limits.maxMemoryPages} pages`,
      );
    }
    try {
      memory.grow(pages);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw calls.fail("memory", `cannot grow memory by ${pages} pages for the input`, error);
    }
    this.#region = { ptr: start, bytes: calls.pages() * WASM_PAGE_BYTES - start };
  }
}
