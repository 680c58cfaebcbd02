// Chains plan before they run, copy each batch exactly once per hop, and match plain-JS references.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  columnToRows,
  decodeBatch,
  encodeBatch,
  parseSchema,
  rowsToColumn,
} from "../../src/columnar/index.ts";
import { ChainTypeError, InlineExecutor, parseChain, planChain, runChain } from "../../src/chain/index.ts";
import { runExamples } from "../../src/wasm/index.ts";
import { BUILTIN_NAMES } from "../../src/registry/builtin-names.ts";
import { loadOperator, resolverOf, TEST_LIMITS } from "../support/operators.ts";

const schema = parseSchema("(String, i64)");
const EXAMPLES: readonly string[] = BUILTIN_NAMES;
const ops = EXAMPLES.map((name) => loadOperator(name));
const batchOf = (rows: unknown[]) => decodeBatch(encodeBatch(rowsToColumn(schema, rows)), schema);
const utf8Length = (s: string) => new TextEncoder().encode(s).length;
const wrapI64 = (v: bigint) => BigInt.asIntN(64, v);
const normal = (v: bigint) =>
  v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();

/** Plain-JS references of the example operators over (String, i64) rows. */
const REFERENCE: Record<string, (rows: [string, number | string][]) => unknown[]> = {
  split_words: (rows) =>
    rows.flatMap(([t, d]) =>
      t
        .split(/[ \t\n\v\f\r]+/)
        .filter((w) => w !== "")
        .map((w) => [w, d]),
    ),
  lowercase: (rows) => rows.map(([t, d]) => [t.replace(/[A-Z]/g, (c) => c.toLowerCase()), d]),
  filter_nonempty: (rows) => rows.filter(([t]) => t !== ""),
  len_plus_diff: (rows) => rows.map(([t, d]) => [t, normal(wrapI64(BigInt(utf8Length(t)) + BigInt(d)))]),
  len_plus_diff_blog: (rows) => rows.map(([t, d]) => [t, normal(wrapI64(BigInt(utf8Length(t)) + BigInt(d)))]),
  identity: (rows) => rows,
};

const rowArbitrary = fc.tuple(
  fc
    .array(
      fc.constantFrom(
        "a",
        "B",
        "word",
        "Héllo",
        " ",
        "\t",
        "\n",
        "\r",
        "\v",
        "\f",
        "\u00a0",
        "ÀZ",
        "x y",
        "0123456789abcdef",
      ),
      { maxLength: 6 },
    )
    .map((p) => p.join("")),
  fc.oneof(
    fc.integer({ min: -1000, max: 1000 }),
    fc.constantFrom("9223372036854775807", "-9223372036854775808"),
  ),
);

describe("example operators", () => {
  for (const op of ops) {
    it(`${op.name} passes its manifest examples`, () => {
      assert.ok(op.manifest.examples.length > 0);
      runExamples(op, TEST_LIMITS);
    });

    it(`${op.name} matches the plain-JS reference on random batches`, async () => {
      const executor = new InlineExecutor(TEST_LIMITS);
      const plan = await planChain(parseChain(op.name), schema, resolverOf(ops));
      await fc.assert(
        // up to 200 rows: past the SIMD steps (8 records, 64 bytes) and their scalar tails
        fc.asyncProperty(fc.array(rowArbitrary, { maxLength: 200 }), async (rows) => {
          const result = await runChain(plan, batchOf(rows), { segments: executor });
          assert.deepEqual(columnToRows(plan.output, result.output.column), REFERENCE[op.name](rows));
        }),
        { numRuns: 200 },
      );
    });
  }
});

describe("filter_nonempty", () => {
  it("matches the reference at any density of empty texts, over batches of many SIMD steps", async () => {
    // Its steps of 8 records take three paths (no empty record, exactly one, more), each of which
    // must leave the next step's view of the bounds intact: sparse and dense empties mix them all.
    const plan = await planChain(parseChain("filter_nonempty"), schema, resolverOf(ops));
    const executor = new InlineExecutor(TEST_LIMITS);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 700 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer(),
        async (n, percentEmpty, seed) => {
          const rand = new Rand(seed);
          const rows: [string, number][] = Array.from({ length: n }, (_, i) => [
            100 * rand.next() < percentEmpty ? "" : `r${i}`.repeat(1 + (i % 3)),
            3 * i - 7,
          ]);
          const result = await runChain(plan, batchOf(rows), { segments: executor });
          assert.deepEqual(
            columnToRows(plan.output, result.output.column),
            rows.filter(([t]) => t !== ""),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** A small seeded generator (xorshift32), so a failing case replays from fast-check's seed. */
class Rand {
  #state: number;
  constructor(seed: number) {
    this.#state = seed | 0 || 1;
  }
  next(): number {
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x;
    return (x >>> 0) / 2 ** 32;
  }
}

describe("runChain()", () => {
  it("copies each batch exactly once per hop: 3 hops, 3 copies, bytes = sum of hop inputs", async () => {
    const plan = await planChain(parseChain("split_words,lowercase,len_plus_diff"), schema, resolverOf(ops));
    const input = batchOf([
      ["The quick brown", 1],
      ["FOX", 2],
    ]);
    const result = await runChain(plan, input, { segments: new InlineExecutor(TEST_LIMITS) });
    assert.equal(result.hops.length, 3);
    const afterSplit = encodeBatch(
      rowsToColumn(schema, [
        ["The", 1],
        ["quick", 1],
        ["brown", 1],
        ["FOX", 2],
      ]),
    ).length;
    assert.deepEqual(
      result.hops.map((h) => h.copiedBytes),
      [input.byteLength, afterSplit, afterSplit],
    );
    assert.equal(result.copiedBytes, input.byteLength + 2 * afterSplit);
    assert.deepEqual(columnToRows(plan.output, result.output.column), [
      ["the", 4],
      ["quick", 6],
      ["brown", 6],
      ["fox", 5],
    ]);
  });

  it("accepts a format 0.12 input with one copy into the first operator", async () => {
    const plan = await planChain(parseChain("lowercase"), schema, resolverOf(ops));
    const input = decodeBatch(encodeBatch(rowsToColumn(schema, [["AB", 1]]), { format: "0.12" }), schema, {
      format: "0.12",
    });
    const result = await runChain(plan, input, { segments: new InlineExecutor(TEST_LIMITS) });
    assert.equal(result.copiedBytes, input.byteLength - 8); // the 0.1 framing is 8 bytes shorter (spec §5.2)
    assert.deepEqual(columnToRows(plan.output, result.output.column), [["ab", 1]]);
  });
});

describe("parseChain()", () => {
  it("refuses a name outside the rule and says what the rule is", () => {
    assert.throws(
      () => parseChain("reduce:a/b"),
      /"reduce:a\/b" is not reduce:NAME \(NAME: 1-64 letters, digits, _ \. or -, not starting with \. or -\)/,
    );
    assert.throws(() => parseChain("split_words,-x"), /"-x" is not an operator name \(1-64 letters/);
    assert.deepEqual(parseChain("a.b-c,reduce:wc_1"), [
      { kind: "operator", name: "a.b-c" },
      { kind: "reduce", namespace: "wc_1" },
    ]);
  });
});

describe("planChain()", () => {
  it("rejects a type-mismatched chain before any operator runs, naming the stage and both schemas", async () => {
    const resolver = resolverOf(ops);
    await assert.rejects(
      planChain(parseChain("lowercase,split_words"), parseSchema("(u64, i64)"), resolver),
      (error: unknown) =>
        error instanceof ChainTypeError &&
        error.fields.stage === 0 &&
        error.fields.expected === "(String, i64)" &&
        error.fields.actual === "(u64, i64)",
    );
    assert.deepEqual(resolver.resolved, ["lowercase"]);
  });

  it("accepts a struct where the operator declares the same tuple (layout equivalence)", async () => {
    const plan = await planChain(
      parseChain("lowercase"),
      parseSchema("{text: String, diff: i64}"),
      resolverOf(ops),
    );
    assert.equal(plan.stages.length, 1);
  });

  it("types a reduce stage as (K, i64) -> (K, i64)", async () => {
    const plan = await planChain(parseChain("split_words,reduce:wc"), schema, resolverOf(ops));
    assert.equal(plan.stages[1].kind, "reduce");
    await assert.rejects(
      planChain(parseChain("reduce:wc"), parseSchema("(String, f64)"), resolverOf(ops)),
      ChainTypeError,
    );
  });

  it("names the family a reduce stage takes, not one of its members, when the batch does not fit it", async () => {
    await assert.rejects(
      planChain(parseChain("reduce:wc"), parseSchema("(u32, u32)"), resolverOf(ops)),
      (error: unknown) =>
        error instanceof ChainTypeError &&
        error.fields.expected === "(K, i64)" &&
        error.fields.actual === "(u32, u32)" &&
        /takes \(K, i64\) \(K = String or an integer type/.test(error.message),
    );
  });
});
