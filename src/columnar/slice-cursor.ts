// A cursor over a framed body's slices in layout order: hands out each slice with its name,
// checks element sizes (spec §6.4 L1) and builds errors that name the slice.
import { BatchError, type BatchRule } from "./batch-error.ts";
import type { FrameContext } from "./frame-body.ts";
import type { SliceSpec } from "./slice-layout.ts";
import type { ValidationKernels } from "./validation-kernels.ts";

/** One slice handed out by the cursor. */
export interface TakenSlice {
  readonly bytes: Uint8Array;
  readonly index: number;
  readonly spec: SliceSpec;
}

/** Walks slices in order; the decoder's single source of slice names and byte offsets. */
export class SliceCursor {
  readonly #slices: readonly Uint8Array[];
  readonly #layout: readonly SliceSpec[];
  readonly #ctx: FrameContext;
  readonly #bodyOffset: number;
  /** Optional faster validation loops (see validation-kernels.ts). */
  readonly kernels: ValidationKernels | undefined;
  /** Bytes this process validated already (a thread hand-off): skip the per-record scans. */
  readonly isTrusted: boolean;
  #next = 0;

  constructor(
    slices: readonly Uint8Array[],
    layout: readonly SliceSpec[],
    ctx: FrameContext,
    bodyOffset: number,
    kernels?: ValidationKernels,
    isTrusted = false,
  ) {
    this.kernels = kernels;
    this.isTrusted = isTrusted;
    this.#slices = slices;
    this.#layout = layout;
    this.#ctx = ctx;
    this.#bodyOffset = bodyOffset;
  }

  /** The next slice, after checking its byte length against its element/fixed size. */
  take(): TakenSlice {
    const index = this.#next++;
    const bytes = this.#slices[index];
    const spec = this.#layout[index];
    if (bytes.byteLength % spec.elementBytes !== 0) {
      throw this.error(
        "slice-size",
        { index, spec, bytes },
        `its length ${bytes.byteLength} is not a multiple of its element size ${spec.elementBytes}`,
      );
    }
    if (spec.fixedBytes !== undefined && bytes.byteLength !== spec.fixedBytes) {
      throw this.error(
        "slice-size",
        { index, spec, bytes },
        `it must be exactly ${spec.fixedBytes} bytes, found ${bytes.byteLength}`,
      );
    }
    return { bytes, index, spec };
  }

  /** Index of the next slice to be taken. */
  get position(): number {
    return this.#next;
  }

  /** A `length-mismatch` rejection naming the first slice of the child that disagrees (spec §6.4 L6). */
  lengthMismatch(sliceIndex: number, detail: string): BatchError {
    const index = Math.min(sliceIndex, this.#slices.length - 1);
    return this.error(
      "length-mismatch",
      { index, spec: this.#layout[index], bytes: this.#slices[index] },
      // counts that disagree are most often a body of another schema with as many slices
      `${detail} (is the schema right?)`,
    );
  }

  /** A rejection naming `slice`, with `detail` describing the state found. */
  error(rule: BatchRule, slice: TakenSlice, detail: string, byteInSlice = 0): BatchError {
    const offset = slice.bytes.byteOffset - this.#bodyOffset + byteInSlice;
    return new BatchError(
      rule,
      `Cannot decode slice ${slice.index} (${slice.spec.name}) of "${this.#ctx.schemaText}" in format ${this.#ctx.format}: ${detail}`,
      { slice: slice.spec.name, sliceIndex: slice.index, offset },
    );
  }
}
