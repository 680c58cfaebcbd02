// A hop's input as the format 0.1 slices every operator reads, and its one copy into an
// operator's memory: a single memcpy when the batch is already one contiguous 0.1 region.
import { columnSlices, encodedByteLength, writeSlices } from "../columnar/index.ts";
import type { CopyMeter } from "./copy-meter.ts";
import type { OperatorBatch } from "./operator-batch.ts";

/** The input as format 0.1 slices, and their encoded size. */
export interface InputLayout {
  readonly slices: readonly Uint8Array[];
  readonly byteLength: number;
  /** The whole batch as one format-0.1 region, when it is one: copied in by a single memcpy. */
  readonly contiguous?: Uint8Array;
}

/** Computed once per hop: a contiguous 0.1 body already has both. */
export function inputLayout(input: OperatorBatch): InputLayout {
  if (input.bytes !== undefined && input.format === "0.1") {
    return { slices: input.slices, byteLength: input.bytes.byteLength, contiguous: input.bytes };
  }
  const slices = input.format === "0.1" ? input.slices : columnSlices(input.column, "0.1");
  return { slices, byteLength: encodedByteLength(slices, "0.1") };
}

/** Copies the batch of `layout` to `ptr` of `memory`: the one metered memcpy of a hop. */
export function copyInputIn(
  memory: WebAssembly.Memory,
  layout: InputLayout,
  ptr: number,
  meter: CopyMeter,
): void {
  const bytes = new Uint8Array(memory.buffer);
  if (layout.contiguous !== undefined) {
    meter.copy(bytes, ptr, layout.contiguous);
  } else {
    const byteLength = layout.byteLength;
    writeSlices(bytes.subarray(ptr, ptr + byteLength), layout.slices, "0.1");
    meter.count(byteLength); // the hop input, framed: same figure as the contiguous case
  }
}
