// The reader: an untrusted body + its schema -> a validated BatchView of zero-copy typed-array
// views (spec/columnar-format.md §6, §10). Cost is O(slices) plus one pass over bounds and bits.
import { BatchError } from "./batch-error.ts";
import type { Column } from "./column.ts";
import { decodeColumn } from "./decode-column.ts";
import { formatSchema } from "./format-schema.ts";
import { frameBody } from "./frame-body.ts";
import type { Format, Schema } from "./schema.ts";
import { SliceCursor } from "./slice-cursor.ts";
import { sliceLayout } from "./slice-layout.ts";
import type { ValidationKernels } from "./validation-kernels.ts";

// Typed arrays use host byte order; every host we support (V8 in Node, Deno, workerd) is
// little-endian. Refuse to run elsewhere rather than misread every body (spec §10).
if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error("colwasm needs a little-endian host");
}

/** A decoded batch: views over the body, valid by every rule of spec §6. */
export interface BatchView {
  readonly schema: Schema;
  readonly format: Format;
  /** Record count of the top-level type (spec §4.9). */
  readonly length: number;
  readonly column: Column;
  /** The batch's own bytes (a view of `byteLength` bytes over the body). */
  readonly bytes: Uint8Array;
  /** Every slice's bytes, in layout order (views, not copies). */
  readonly slices: readonly Uint8Array[];
  /** Bytes the batch occupies in the body (all of it, unless decoded as a region). */
  readonly byteLength: number;
  /** Bytes copied because the body was not 8-aligned in its buffer (0 normally). */
  readonly alignmentCopyBytes: number;
}

/** Options of decodeBatch. */
export interface DecodeOptions {
  /** `Columnar-Format` of the body; default `0.1`. */
  format?: Format;
  /** Format 0.1 only: the batch may be followed by other bytes (operator output in WASM memory). */
  isRegion?: boolean;
  /** Faster validation loops for views inside the memory they cover (operator output). */
  kernels?: ValidationKernels;
  /**
   * Only for bytes this process has already validated and handed between its own threads: frames
   * and checks sizes and counts, but skips the per-record bound, UTF-8 and rank scans (spec §10
   * makes those mandatory for untrusted bytes, which these are not).
   */
  isTrusted?: boolean;
}

function alignedBody(body: Uint8Array): { bytes: Uint8Array; copied: number } {
  if (body.byteOffset % 8 === 0) return { bytes: body, copied: 0 };
  // copy: typed-array views need 8-aligned slices; only unaligned inputs pay this (spec §10).
  const copy = new Uint8Array(body.byteLength);
  copy.set(body);
  return { bytes: copy, copied: body.byteLength };
}

function otherFormatHint(body: Uint8Array, schema: Schema, format: Format, schemaText: string): string {
  const other: Format = format === "0.1" ? "0.12" : "0.1";
  try {
    frameBody(body, sliceLayout(schema, other), { schemaText, format: other });
    return ` (this looks like Columnar-Format: ${other})`;
  } catch (error) {
    if (error instanceof BatchError) return "";
    throw error;
  }
}

/**
 * Validates slices that were not framed from one body (e.g. a blog-ABI output assembled from two
 * memories) and builds their column tree. Throws only `BatchError`.
 */
export function decodeSlices(slices: readonly Uint8Array[], schema: Schema, format: Format): Column {
  const layout = sliceLayout(schema, format);
  const ctx = { schemaText: formatSchema(schema), format };
  if (slices.length !== layout.length) {
    throw new BatchError(
      "slice-count",
      `Cannot decode "${ctx.schemaText}": ${slices.length} slices given, the schema has ${layout.length}`,
    );
  }
  return decodeColumn(schema, new SliceCursor(slices, layout, ctx, 0));
}

/**
 * Decodes and validates a body. Throws only `BatchError`, never reads outside `body`, and allocates
 * nothing in proportion to the numbers the body claims.
 *
 * @example
 * ```ts
 * import { decodeBatch, parseSchema } from "./index.ts";
 * const hex = "1800000000000000060000000000000003000000000000000300000000000000";
 * const body = Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
 * const view = decodeBatch(body, parseSchema("u64"));
 * view.length; // 3
 * ```
 */
export function decodeBatch(
  body: Uint8Array | ArrayBuffer,
  schema: Schema,
  options: DecodeOptions = {},
): BatchView {
  const format = options.format ?? "0.1";
  const input = body instanceof Uint8Array ? body : new Uint8Array(body);
  const { bytes, copied } = alignedBody(input);
  const schemaText = formatSchema(schema);
  const ctx = { schemaText, format };
  const layout = sliceLayout(schema, format);
  let framed;
  try {
    framed = frameBody(bytes, layout, ctx, { isRegion: options.isRegion });
  } catch (error) {
    if (!(error instanceof BatchError) || options.isRegion) throw error;
    const hint = otherFormatHint(bytes, schema, format, schemaText);
    if (hint === "") throw error;
    throw new BatchError(error.rule, error.message + hint, error.location);
  }
  const cursor = new SliceCursor(
    framed.slices,
    layout,
    ctx,
    bytes.byteOffset,
    options.kernels,
    options.isTrusted,
  );
  const column = decodeColumn(schema, cursor);
  return {
    schema,
    format,
    length: column.length,
    column,
    bytes: bytes.subarray(0, framed.byteLength),
    slices: framed.slices,
    byteLength: framed.byteLength,
    alignmentCopyBytes: copied,
  };
}
