// The payload a reduce shard call carries both ways: one `(String, i64)` batch in our codec
// (spec/columnar-format.md), keys as canonical text, so a shard gets all its keys in one call.
import { type Column, decodeBatch, encodeBatch, parseSchema } from "../../columnar/index.ts";

/** Schema of every shard payload: canonical key text and a diff or total. */
export const SHARD_PAYLOAD_SCHEMA = parseSchema("(String, i64)");

/** Keys and their values as a shard payload. */
export interface ShardRows {
  readonly keys: readonly string[];
  readonly values: BigInt64Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { ignoreBOM: true }); // a key may start with U+FEFF: keep it

/** Encodes `rows` as one format-0.1 batch. */
export function encodeShardPayload(rows: ShardRows): ArrayBuffer {
  const parts = rows.keys.map((k) => encoder.encode(k));
  const bounds = new BigUint64Array(parts.length);
  let end = 0;
  parts.forEach((p, i) => (bounds[i] = BigInt((end += p.byteLength))));
  const bytes = new Uint8Array(end);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at); // copy: the key texts become one string slice
    at += p.byteLength;
  }
  const length = parts.length;
  const column: Column = {
    kind: "tuple",
    length,
    elements: [
      { kind: "string", length, bounds, bytes },
      { kind: "i64", length, data: rows.values },
    ],
  };
  const encoded = encodeBatch(column);
  const buffer = encoded.buffer;
  return buffer instanceof ArrayBuffer && encoded.byteOffset === 0 && encoded.byteLength === buffer.byteLength
    ? buffer
    : encoded.slice().buffer; // copy: RPC sends whole ArrayBuffers
}

/** Decodes a shard payload (validated by the codec: it may come from another isolate). */
export function decodeShardPayload(payload: ArrayBuffer): ShardRows {
  const { column } = decodeBatch(payload, SHARD_PAYLOAD_SCHEMA);
  if (column.kind !== "tuple") throw new TypeError("A (String, i64) batch decodes to a tuple");
  const [key, value] = column.elements;
  if (key.kind !== "string" || value.kind !== "i64") throw new TypeError("Unexpected shard payload layout");
  const keys = new Array<string>(key.length);
  let start = 0;
  for (let i = 0; i < key.length; i++) {
    const end = Number(key.bounds[i]);
    keys[i] = decoder.decode(key.bytes.subarray(start, end));
    start = end;
  }
  return { keys, values: value.data };
}
