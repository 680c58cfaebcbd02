// Framing (spec/columnar-format.md §5, §6.1-6.3): finds each slice's bytes in a body, as views.
// Reads only length/offset words, so it costs O(slices) whatever the record count.
import { BatchError } from "./batch-error.ts";
import type { Format } from "./schema.ts";
import type { SliceSpec } from "./slice-layout.ts";

/** Names used in diagnostics: the canonical schema and the format. */
export interface FrameContext {
  readonly schemaText: string;
  readonly format: Format;
}

/** The slices of a body, in layout order, and how many bytes the batch occupies. */
export interface FramedBody {
  readonly slices: Uint8Array[];
  readonly byteLength: number;
}

const round8 = (x: number): number => (x + 7) & ~7;

/** Reads the u64 LE word at `offset`; -1 when it exceeds 2^32-1 (always out of range for a body). */
function readWord(view: DataView, offset: number): number {
  return view.getUint32(offset + 4, true) === 0 ? view.getUint32(offset, true) : -1;
}

function describe(ctx: FrameContext, layout: readonly SliceSpec[], k: number): string {
  return `slice ${k} (${layout[k].name}) of "${ctx.schemaText}" in format ${ctx.format}`;
}

function at(layout: readonly SliceSpec[], k: number, offset: number) {
  return { slice: layout[k]?.name, sliceIndex: k, offset };
}

/**
 * Frames a format 0.1 body. With `isRegion`, the batch may be followed by unrelated bytes (an operator's
 * output inside its memory): the walk stops after the last slice instead of demanding the body end there.
 */
function frameLengthPrefixed(
  body: Uint8Array,
  layout: readonly SliceSpec[],
  ctx: FrameContext,
  isRegion: boolean,
): FramedBody {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const slices: Uint8Array[] = [];
  let pos = 0;
  for (let k = 0; k < layout.length; k++) {
    if (pos + 8 > body.byteLength) {
      throw new BatchError(
        "missing-slices",
        `Cannot decode ${describe(ctx, layout, k)}: the body ends at byte ${body.byteLength} before its length word (${layout.length} slices expected)`,
        at(layout, k, pos),
      );
    }
    const length = readWord(view, pos);
    const left = body.byteLength - pos - 8;
    if (length < 0 || length > left || pos + 8 + round8(length) > body.byteLength) {
      const shown = length < 0 ? "over 2^32" : String(length);
      throw new BatchError(
        "slice-out-of-range",
        `Cannot decode ${describe(ctx, layout, k)}: length ${shown} runs past the end of the body (${left} bytes left)`,
        at(layout, k, pos),
      );
    }
    slices.push(body.subarray(pos + 8, pos + 8 + length));
    pos += 8 + round8(length);
  }
  if (!isRegion && pos !== body.byteLength) {
    throw new BatchError(
      "trailing-bytes",
      `Cannot decode "${ctx.schemaText}" in format ${ctx.format}: ${body.byteLength - pos} bytes follow the last slice (wrong schema, or two batches concatenated?)`,
      { offset: pos },
    );
  }
  return { slices, byteLength: pos };
}

function frameIndexed(body: Uint8Array, layout: readonly SliceSpec[], ctx: FrameContext): FramedBody {
  const n = layout.length;
  const where = `"${ctx.schemaText}" in format ${ctx.format}`;
  if (body.byteLength < 8) {
    throw new BatchError(
      "missing-slices",
      `Cannot decode ${where}: the body has no offset table (${body.byteLength} bytes)`,
      { offset: 0 },
    );
  }
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const tableEnd = readWord(view, 0);
  // A word[0] over 2^32 with its low 3 bits clear is a multiple of 8 that is at least 16: F2 passes
  // and F3 reports it as a slice count (spec §6.3), so test alignment on the low half.
  if (view.getUint32(0, true) % 8 !== 0 || (tableEnd >= 0 && tableEnd < 16)) {
    throw new BatchError(
      "bad-offset",
      `Cannot decode ${where}: offset table size word[0] = ${view.getBigUint64(0, true)} is not a multiple of 8 that is at least 16`,
      { offset: 0 },
    );
  }
  if (tableEnd !== 8 * (n + 1)) {
    throw new BatchError(
      "slice-count",
      `Cannot decode ${where}: the offset table announces ${view.getBigUint64(0, true) / 8n - 1n} slices, the schema has ${n}`,
      { offset: 0 },
    );
  }
  if (tableEnd > body.byteLength) {
    throw new BatchError(
      "slice-out-of-range",
      `Cannot decode ${where}: the offset table (${tableEnd} bytes) does not fit in the body (${body.byteLength} bytes)`,
      { offset: 0 },
    );
  }
  const ends: number[] = [];
  for (let k = 0; k < n; k++) {
    const end = readWord(view, 8 * (k + 1));
    if (end < 0 || end > body.byteLength) {
      throw new BatchError(
        "slice-out-of-range",
        `Cannot decode ${describe(ctx, layout, k)}: it ends at ${end < 0 ? "over 2^32" : end}, past the end of the body (${body.byteLength} bytes)`,
        at(layout, k, 8 * (k + 1)),
      );
    }
    ends.push(end);
  }
  const slices: Uint8Array[] = [];
  let previousEnd = tableEnd;
  for (let k = 0; k < n; k++) {
    const start = round8(previousEnd);
    if (ends[k] < start) {
      throw new BatchError(
        "bad-offset",
        `Cannot decode ${describe(ctx, layout, k)}: it ends at ${ends[k]}, before its start ${start}`,
        at(layout, k, 8 * (k + 1)),
      );
    }
    slices.push(body.subarray(start, ends[k]));
    previousEnd = ends[k];
  }
  const total = round8(previousEnd);
  if (total !== body.byteLength) {
    throw new BatchError(
      "trailing-bytes",
      `Cannot decode ${where}: ${body.byteLength - total} bytes follow the last slice`,
      { offset: total },
    );
  }
  return { slices, byteLength: total };
}

/**
 * Finds the slices of `body` (spec §5), checking body length and framing (§6.1-6.3).
 * `isRegion` (format 0.1 only) accepts bytes after the batch, for operator output in WASM memory.
 */
export function frameBody(
  body: Uint8Array,
  layout: readonly SliceSpec[],
  ctx: FrameContext,
  options: { isRegion?: boolean } = {},
): FramedBody {
  const isRegion = options.isRegion === true && ctx.format === "0.1";
  if (!isRegion && body.byteLength % 8 !== 0) {
    throw new BatchError(
      "body-length",
      `Cannot decode "${ctx.schemaText}" in format ${ctx.format}: the body is ${body.byteLength} bytes, not a multiple of 8`,
      { offset: body.byteLength },
    );
  }
  return ctx.format === "0.1"
    ? frameLengthPrefixed(body, layout, ctx, isRegion)
    : frameIndexed(body, layout, ctx);
}
