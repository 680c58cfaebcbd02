// Takes records by index out of a String or primitive column into new arrays (reduce output keys).
import { BatchError } from "./batch-error.ts";
import type { Column, PrimitiveColumn } from "./column.ts";

/** A new column holding records `indices` of `column`, in that order. */
export function gatherColumn(column: Column, indices: Uint32Array): Column {
  if (column.kind === "string") {
    const start = (i: number) => (i === 0 ? 0 : Number(column.bounds[i - 1]));
    let total = 0;
    for (const i of indices) total += Number(column.bounds[i]) - start(i);
    const bytes = new Uint8Array(total);
    const bounds = new BigUint64Array(indices.length);
    let at = 0;
    indices.forEach((i, k) => {
      bytes.set(column.bytes.subarray(start(i), Number(column.bounds[i])), at); // copy: the gathered key
      at += Number(column.bounds[i]) - start(i);
      bounds[k] = BigInt(at);
    });
    return { kind: "string", length: indices.length, bounds, bytes };
  }
  if (!("data" in column)) {
    throw new BatchError("row-type", `Cannot gather records of a ${column.kind} column`);
  }
  const source = column.data;
  const Ctor = source.constructor as new (n: number) => typeof source;
  const data = new Ctor(indices.length);
  indices.forEach((i, k) => {
    data[k] = source[i];
  });
  return { kind: column.kind, length: indices.length, data } as PrimitiveColumn;
}
