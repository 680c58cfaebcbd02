// Output batch -> response body: straight from the batch's own bytes when they are already in
// the wanted format, else one encode; NDJSON rows when the client asked for them.
import { columnSlices, columnToRows, encodeSlices, type Format, formatJsonLines } from "../columnar/index.ts";
import type { OperatorBatch } from "../wasm/index.ts";
import { NDJSON_MEDIA_TYPE } from "./read-batch.ts";

/** A response body and its media type. */
export interface BatchBody {
  readonly body: Uint8Array<ArrayBuffer> | string;
  readonly mediaType: string;
}

/** Encodes `batch` as `mediaType` (columnar in `format`, or NDJSON). */
export function writeBatch(batch: OperatorBatch, options: { format: Format; mediaType: string }): BatchBody {
  const { format, mediaType } = options;
  if (mediaType === NDJSON_MEDIA_TYPE) {
    return { body: formatJsonLines(columnToRows(batch.schema, batch.column)), mediaType };
  }
  if (batch.format === format && batch.bytes !== undefined)
    return { body: overArrayBuffer(batch.bytes), mediaType };
  const slices = batch.format === format ? batch.slices : columnSlices(batch.column, format);
  return { body: overArrayBuffer(encodeSlices(slices, format)), mediaType };
}

/** The same view typed over an ArrayBuffer (what a Response takes); copies only shared memory. */
function overArrayBuffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer
    ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    : bytes.slice();
}
