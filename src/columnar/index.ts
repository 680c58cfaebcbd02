// Public surface of the columnar codec: schema language, reader, writer, JSON row mapping.
export type { Format, PrimitiveKind, Schema, StructField } from "./schema.ts";
export { FORMATS, PRIMITIVE_BYTES } from "./schema.ts";
export { parseSchema, SCHEMA_LIMITS } from "./parse-schema.ts";
export { formatSchema, isLayoutEquivalent, layoutNormalForm, schemaEquals } from "./format-schema.ts";
export { countSlices, sliceLayout, type SliceRole, type SliceSpec } from "./slice-layout.ts";
export { SchemaError, type SchemaRule } from "./schema-error.ts";
export { BatchError, type BatchErrorLocation, type BatchRule } from "./batch-error.ts";
export { bitAt, type Bits, type Column, type ColumnOf, type PrimitiveColumn } from "./column.ts";
export { type BatchView, decodeBatch, type DecodeOptions, decodeSlices } from "./decode-batch.ts";
export { columnSlices, encodeBatch, encodedByteLength, encodeSlices, writeSlices } from "./encode-batch.ts";
export { type ColumnBuilder, columnBuilder, rowsToColumn } from "./rows-to-column.ts";
export { columnToRows } from "./column-to-rows.ts";
export { shortestF32 } from "./shortest-f32.ts";
export { formatJsonLines, parseJsonLines, parseJsonRow, stringifyJson } from "./json-rows.ts";
export { parseFormat } from "./parse-format.ts";
export { gatherColumn } from "./gather-column.ts";
export type { ValidationKernels } from "./validation-kernels.ts";
export { scanUtf8, type Utf8Scan } from "./utf8.ts";
