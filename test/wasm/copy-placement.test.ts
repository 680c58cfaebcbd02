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
import { isFastCopyPlacement, PLACED_COPY_MIN_BYTES, placementPad } from "../../src/wasm/copy-placement.ts";
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

async function runIdentityTwice(rows: [string, number][], limits = TEST_LIMITS) {
  const op = loadOperator("identity", { limits });
  const plan = await planChain(parseChain("identity,identity"), schema, resolverOf([op]));
  const input = decodeBatch(encodeBatch(rowsToColumn(schema, rows)), schema);
  return runChain(plan, input, { segments: new InlineExecutor(limits) });
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

  it("places a large hop's input 3 KiB on from the source (mod 4 KiB) and keeps the batch intact", async () => {
    const rows = rowsOfBytes(2 * PLACED_COPY_MIN_BYTES);
    const result = await runIdentityTwice(rows);
    // the second identity returns its input region: its address is where the hop copied to
    const at = result.output.bytes?.byteOffset ?? -1;
    assert.equal((at - IDENTITY_BASE) & 4095, 3072);
    assert.deepEqual(columnToRows(schema, result.output.column), rows);
    assert.equal(result.copiedBytes, 2 * result.output.bytes!.byteLength); // still one copy per hop
  });

  it("leaves a small hop's input where alloc put it", async () => {
    const result = await runIdentityTwice(rowsOfBytes(PLACED_COPY_MIN_BYTES / 4));
    assert.equal(result.output.bytes?.byteOffset, IDENTITY_BASE);
  });

  it("does not place a batch that fits only without the extra block under the memory cap", async () => {
    // 3 pages of input under a 4-page cap: alloc at 1024 fits, 3 KiB more plus a page would not
    const limits = { ...TEST_LIMITS, maxMemoryPages: 4 };
    const rows = rowsOfBytes(3 * 65536 - 4096);
    const len = encodeBatch(rowsToColumn(schema, rows)).length;
    assert.ok(IDENTITY_BASE + len <= 4 * 65536 && IDENTITY_BASE + 3072 + len + 65536 > 4 * 65536);
    const result = await runIdentityTwice(rows, limits);
    assert.equal(result.output.bytes?.byteOffset, IDENTITY_BASE);
    assert.deepEqual(columnToRows(schema, result.output.column), rows);
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
    const ops = [loadOperator("identity", { limits }), loadOperator("lowercase", { limits })];
    const plan = await planChain(parseChain("identity,lowercase"), schema, resolverOf(ops));
    const input = decodeBatch(encodeBatch(rowsToColumn(schema, rows)), schema);
    const result = await runChain(plan, input, { segments: new InlineExecutor(limits) });
    assert.deepEqual(columnToRows(schema, result.output.column), rows);
  });
});
