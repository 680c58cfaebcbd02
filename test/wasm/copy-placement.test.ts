// A hop's input region is placed where its one memcpy avoids 4K aliasing (src/wasm/copy-placement.ts),
// through nothing but the ABI's own reset and alloc calls, and never at the cost of a batch that fits.
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
import { InlineExecutor, parseChain, planChain, runChain } from "../../src/chain/index.ts";
import {
  isFastCopyPlacement,
  PLACED_COPY_MIN_BYTES,
  placeInRegion,
  placementPad,
} from "../../src/wasm/copy-placement.ts";
import { loadOperator, resolverOf, TEST_LIMITS } from "../support/operators.ts";

const schema = parseSchema("(String, i64)");
/** identity (operators/wat/identity.wat) hands out its input at 1024 after every reset. */
const IDENTITY_BASE = 1024;

/** Rows whose encoded batch is `bytes` long, give or take one row (20 bytes a row). */
function rowsOfBytes(bytes: number): [string, number][] {
  const row = (i: number): [string, number] => [`w${String(i % 1000).padStart(3, "0")}`, i];
  const lengthOf = (n: number) =>
    encodeBatch(
      rowsToColumn(
        schema,
        Array.from({ length: n }, (_, i) => row(i)),
      ),
    ).length;
  const perRow = (lengthOf(16) - lengthOf(8)) / 8; // whole 8-byte words of text: no padding in the step
  return Array.from({ length: Math.ceil(bytes / perRow) }, (_, i) => row(i));
}

/** Rows whose encoded batch is `remainder` bytes past a multiple of 4 KiB long, at least `bytes`. */
function rowsOfLength(bytes: number, remainder: number): [string, number][] {
  const rows = rowsOfBytes(bytes);
  while (encodeBatch(rowsToColumn(schema, rows)).length % 4096 !== remainder) {
    rows.push([`w${String(rows.length % 1000).padStart(3, "0")}`, rows.length]);
  }
  return rows;
}

/**
 * Runs `chain` over `rows` `times` times on one executor (so on the same instances: placement
 * needs a previous batch to have shown that the allocator's reset rewinds) and answers each result.
 */
async function runRepeatedly(chain: string, rows: [string, number][], times: number, limits = TEST_LIMITS) {
  const ops = ["identity", "lowercase"].map((name) => loadOperator(name, { limits }));
  for (const name of ["no_rewind_reset", "reset_once"])
    ops.push(loadOperator(name, { kind: "fixture", limits }));
  const plan = await planChain(parseChain(chain), schema, resolverOf(ops));
  const executor = new InlineExecutor(limits);
  const input = decodeBatch(encodeBatch(rowsToColumn(schema, rows)), schema);
  const results = [];
  for (let i = 0; i < times; i++) {
    const result = await runChain(plan, input, { segments: executor });
    assert.deepEqual(columnToRows(schema, result.output.column), rows);
    results.push({ at: result.output.bytes?.byteOffset ?? -1, copiedBytes: result.copiedBytes });
  }
  return results;
}

describe("copy placement", () => {
  it("placementPad moves any destination into the fast band", () => {
    fc.assert(
      fc.property(fc.nat(1 << 30), fc.nat(1 << 30), (destination, source) => {
        const pad = placementPad(destination, source);
        assert.ok(pad >= 0 && pad < 4096);
        assert.ok(isFastCopyPlacement(destination + pad, source));
      }),
    );
  });

  it("counts destinations 0-1.5 KiB ahead of the source (mod 4 KiB) as aliased, the rest as fast", () => {
    for (const [ahead, fast] of [
      [0, false],
      [16, false],
      [512, false],
      [1535, false],
      [1536, true],
      [3072, true],
      [4095, true],
      [4096, false],
    ] as const) {
      assert.equal(isFastCopyPlacement(70_000 + ahead, 70_000), fast, `${ahead} bytes ahead`);
    }
  });

  it("places a large hop's input 3 KiB on from the source (mod 4 KiB) once its reset was seen to rewind", async () => {
    const rows = rowsOfBytes(2 * PLACED_COPY_MIN_BYTES);
    const [first, second, third] = await runRepeatedly("identity,identity", rows, 3);
    // the second identity returns its input region: its address is where the hop copied to
    assert.equal(first.at, IDENTITY_BASE); // a first batch proves nothing about reset yet
    assert.equal((second.at - IDENTITY_BASE) & 4095, 3072);
    assert.equal(third.at, second.at);
    assert.equal(second.copiedBytes, first.copiedBytes); // still one copy per hop
  });

  it("places a large input inside a region the host owns (blog-ABI fresh pages) when it has the room", () => {
    const big = PLACED_COPY_MIN_BYTES;
    assert.equal(placeInRegion(65536, big + 4096, big, 1024), 65536 + placementPad(65536, 1024));
    assert.ok(isFastCopyPlacement(placeInRegion(65536, big + 4096, big, 1024), 1024));
    assert.equal(placeInRegion(65536, big, big, 1024), 65536); // no room to move it
    assert.equal(placeInRegion(65536, big + 4096, big - 8, 1024), 65536); // small: not worth it
    assert.equal(placeInRegion(65536, big + 4096, big, undefined), 65536); // source not in a memory
  });

  it("runs a blog-ABI module on a placed large input to the reference result", async () => {
    const rows = rowsOfBytes(2 * PLACED_COPY_MIN_BYTES);
    const ops = [loadOperator("identity"), loadOperator("len_plus_diff_blog")];
    const plan = await planChain(parseChain("identity,len_plus_diff_blog"), schema, resolverOf(ops));
    const input = decodeBatch(encodeBatch(rowsToColumn(schema, rows)), schema);
    const executor = new InlineExecutor(TEST_LIMITS);
    for (let i = 0; i < 2; i++) {
      const result = await runChain(plan, input, { segments: executor });
      const expected = rows.map(([t, d]) => [t, t.length + d]);
      assert.deepEqual(columnToRows(schema, result.output.column), expected);
    }
  });

  it("leaves a small hop's input where alloc put it", async () => {
    const results = await runRepeatedly("identity,identity", rowsOfBytes(PLACED_COPY_MIN_BYTES / 4), 3);
    assert.deepEqual(
      results.map((r) => r.at),
      [IDENTITY_BASE, IDENTITY_BASE, IDENTITY_BASE],
    );
  });

  it("never places inputs for an allocator whose reset does not rewind (no extra blocks)", async () => {
    const rows = rowsOfBytes(2 * PLACED_COPY_MIN_BYTES);
    const len = (encodeBatch(rowsToColumn(schema, rows)).length + 7) & ~7;
    const results = await runRepeatedly("identity,no_rewind_reset", rows, 4);
    // each batch takes the next block of its own (leaking) allocator, and nothing more
    assert.deepEqual(
      results.map((r) => r.at),
      [0, 1, 2, 3].map((k) => IDENTITY_BASE + k * len),
    );
  });

  it("stops placing inputs once a reset that rewound before does not", async () => {
    // 2 KiB past whole 4 KiB pages: the blocks this allocator hands out, one after another, come
    // back to a slow distance from the source every other batch, where placement, if still
    // tried, would add a block
    const rows = rowsOfLength(2 * PLACED_COPY_MIN_BYTES, 2048);
    const len = encodeBatch(rowsToColumn(schema, rows)).length;
    const [, second, third, fourth] = await runRepeatedly("identity,reset_once", rows, 4);
    // batch 2: the first reset rewound, so placement was tried, found the next reset does not
    // rewind, and fell back to a plain alloc; from then on each batch takes just its own block
    assert.equal(third.at - second.at, len);
    assert.equal(fourth.at - third.at, len);
  });

  it("does not place a batch that fits only without the extra block under the memory cap", async () => {
    // 3 pages of input under a 4-page cap: alloc at 1024 fits, 3 KiB more plus a page would not
    const limits = { ...TEST_LIMITS, maxMemoryPages: 4 };
    const rows = rowsOfBytes(3 * 65536 - 4096);
    const len = encodeBatch(rowsToColumn(schema, rows)).length;
    assert.ok(IDENTITY_BASE + len <= 4 * 65536 && IDENTITY_BASE + 3072 + len + 65536 > 4 * 65536);
    const results = await runRepeatedly("identity,identity", rows, 3, limits);
    assert.deepEqual(
      results.map((r) => r.at),
      [IDENTITY_BASE, IDENTITY_BASE, IDENTITY_BASE],
    );
  });
});

describe("copy placement near the memory cap", () => {
  it("never costs a batch that fits: an allocator that traps when memory runs out still gets it", async () => {
    // lowercase's allocator (the AssemblyScript stub) traps rather than answering 0 when memory
    // cannot grow: the extra block must not be tried where it could push memory past the cap
    const limits = { ...TEST_LIMITS, maxMemoryPages: 4 };
    // its input lands at 2000, 976 bytes ahead of identity's output at 1024: placing it would take
    // 2096 bytes more, which this batch leaves no room for
    const rows = rowsOfBytes(259_000);
    const len = encodeBatch(rowsToColumn(schema, rows)).length;
    assert.ok(2000 + len + 64 <= 4 * 65536 && 2000 + 2096 + len > 4 * 65536);
    await runRepeatedly("identity,lowercase", rows, 3, limits);
  });
});
