// fast-check generators: random schemas and row values already in the normalized form of spec §7,
// so that decode(encode(rows)) must give back exactly the same rows.
import fc from "fast-check";
import { type Schema, shortestF32 } from "../../src/columnar/index.ts";

const PRIMITIVES = [
  "u8",
  "u16",
  "u32",
  "u64",
  "i8",
  "i16",
  "i32",
  "i64",
  "f32",
  "f64",
  "bool",
  "string",
] as const;
const FIELD_NAMES = ["a", "b", "text", "diff", "u8", "_x", "Vec"];

/** A random schema of bounded depth. */
export function schemaArbitrary(maxDepth = 3): fc.Arbitrary<Schema> {
  const leaf = fc.constantFrom(...PRIMITIVES).map((kind) => ({ kind }) as Schema);
  const { node } = fc.letrec<{ node: Schema }>((tie) => ({
    node: fc.oneof(
      { depthSize: "small", maxDepth, withCrossShrink: true },
      leaf,
      fc
        .array(tie("node"), { minLength: 1, maxLength: 4 })
        .map((elements) => ({ kind: "tuple", elements }) as Schema),
      fc
        .uniqueArray(fc.constantFrom(...FIELD_NAMES), { minLength: 1, maxLength: 4 })
        .chain((names) => fc.tuple(...names.map(() => tie("node"))).map((types) => ({ names, types })))
        .map(
          ({ names, types }) =>
            ({ kind: "struct", fields: names.map((name, k) => ({ name, type: types[k] })) }) as Schema,
        ),
      tie("node").map((item) => ({ kind: "vec", item }) as Schema),
      tie("node").map((some) => ({ kind: "option", some }) as Schema),
      fc.tuple(tie("node"), tie("node")).map(([ok, err]) => ({ kind: "result", ok, err }) as Schema),
    ),
  }));
  return node;
}

const RANGES: Record<string, [bigint, bigint]> = {
  u8: [0n, 255n],
  u16: [0n, 65535n],
  u32: [0n, 4294967295n],
  u64: [0n, 18446744073709551615n],
  i8: [-128n, 127n],
  i16: [-32768n, 32767n],
  i32: [-2147483648n, 2147483647n],
  i64: [-9223372036854775808n, 9223372036854775807n],
};

const normalInteger = (v: bigint): number | string =>
  v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();

const normalFloat = (v: number): number | string =>
  Number.isNaN(v) ? "NaN" : v === Infinity ? "Infinity" : v === -Infinity ? "-Infinity" : v;

/** A random value of `schema` in the normalized JSON mapping. */
export function valueArbitrary(schema: Schema): fc.Arbitrary<unknown> {
  switch (schema.kind) {
    case "bool":
      return fc.boolean();
    case "string":
      return fc.string({ unit: "binary", maxLength: 12 });
    case "f32":
      return fc.float().map((v) => normalFloat(shortestF32(v)));
    case "f64":
      return fc.double().map(normalFloat);
    case "tuple":
      return fc.tuple(...schema.elements.map(valueArbitrary));
    case "struct":
      return fc
        .tuple(...schema.fields.map((f) => valueArbitrary(f.type)))
        .map((values) => Object.fromEntries(schema.fields.map((f, k) => [f.name, values[k]])));
    case "vec":
      return fc.array(valueArbitrary(schema.item), { maxLength: 4 });
    case "option": {
      const some = valueArbitrary(schema.some);
      return fc.option(schema.some.kind === "option" ? some.map((v) => ({ Some: v })) : some, { nil: null });
    }
    case "result":
      return fc.oneof(
        valueArbitrary(schema.ok).map((v) => ({ Ok: v })),
        valueArbitrary(schema.err).map((v) => ({ Err: v })),
      );
    default: {
      const [min, max] = RANGES[schema.kind];
      return fc.bigInt({ min, max }).map(normalInteger);
    }
  }
}

/** A schema with a list of its rows. */
export function batchArbitrary(maxRows = 40): fc.Arbitrary<{ schema: Schema; rows: unknown[] }> {
  return schemaArbitrary().chain((schema) =>
    fc.array(valueArbitrary(schema), { maxLength: maxRows }).map((rows) => ({ schema, rows })),
  );
}
