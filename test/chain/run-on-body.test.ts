// A body read straight into the first operator's memory: one copy (the first hop's), validated
// there by the kernels, malformed bodies refused without harming the instance, and the same
// results as the decoded path.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  BatchError,
  columnToRows,
  decodeBatch,
  encodeBatch,
  parseSchema,
  rowsToColumn,
} from "../../src/columnar/index.ts";
import { InlineExecutor, parseChain, planChain, runChain } from "../../src/chain/index.ts";
import { ColwasmError } from "../../src/error.ts";
import { kernelModule, loadOperator, resolverOf, TEST_LIMITS } from "../support/operators.ts";

const schema = parseSchema("(String, i64)");
const ops = [
  "lowercase",
  "filter_nonempty",
  "len_plus_diff",
  "len_plus_diff_blog",
  "identity",
  "split_words",
].map((name) => loadOperator(name));
const encode = (rows: unknown[]) => encodeBatch(rowsToColumn(schema, rows));
const bodyOf = (bytes: Uint8Array) => ({ source: bytes, byteLength: bytes.byteLength, schema });

/** `bytes` as a stream of chunks of at most `size` bytes. */
function chunked(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.byteLength) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}

const plan = (chain: string) => planChain(parseChain(chain), schema, resolverOf(ops));
const rowsOf = async (chain: string, result: Awaited<ReturnType<typeof runChain>>) =>
  columnToRows((await plan(chain)).output, result.output.column);

describe("runChain() over a body", () => {
  const executor = new InlineExecutor(TEST_LIMITS, { kernelModule: kernelModule() });

  it("reads the body into the first operator (one copy: the first hop's) and runs the chain", async () => {
    const body = encode([
      ["Hello", 1],
      ["", 2],
      ["World", 3],
    ]);
    const chain = "lowercase,filter_nonempty,len_plus_diff";
    const result = await runChain(await plan(chain), bodyOf(body), { segments: executor });
    assert.deepEqual(await rowsOf(chain, result), [
      ["hello", 6],
      ["world", 8],
    ]);
    assert.equal(result.hops[0].copiedBytes, body.byteLength);
    assert.equal(result.hops.length, 3);
  });

  it("reads a streamed body chunk by chunk into place", async () => {
    const rows = Array.from({ length: 500 }, (_, i) => [`Word${i}`, i]);
    const body = encode(rows);
    const result = await runChain(await plan("lowercase"), bodyOf(body), { segments: executor });
    const streamed = await runChain(
      await plan("lowercase"),
      { source: chunked(body, 1000), byteLength: body.byteLength, schema },
      { segments: executor },
    );
    assert.deepEqual(await rowsOf("lowercase", streamed), await rowsOf("lowercase", result));
  });

  it("refuses a stream longer or shorter than announced, and the next body runs", async () => {
    const body = encode([["abc", 1]]);
    const chain = await plan("identity");
    for (const byteLength of [body.byteLength - 8, body.byteLength + 8]) {
      await assert.rejects(
        runChain(chain, { source: chunked(body, 8), byteLength, schema }, { segments: executor }),
        (error: unknown) => error instanceof ColwasmError && error.type === "bad-request",
      );
    }
    const result = await runChain(chain, bodyOf(body), { segments: executor });
    assert.deepEqual(await rowsOf("identity", result), [["abc", 1]]);
  });

  it("refuses a malformed body with its BatchError before act, and the next body runs", async () => {
    const good = encode([["ab", 1]]);
    const bad = good.slice();
    bad[8] = 9; // the only bound now points past the bytes slice
    const chain = await plan("len_plus_diff");
    await assert.rejects(runChain(chain, bodyOf(bad), { segments: executor }), BatchError);
    const notUtf8 = encode([["ab", 1]]);
    notUtf8[24] = 0xff;
    await assert.rejects(runChain(chain, bodyOf(notUtf8), { segments: executor }), BatchError);
    const result = await runChain(chain, bodyOf(good), { segments: executor });
    assert.deepEqual(await rowsOf("len_plus_diff", result), [["ab", 3]]);
  });

  it("reads a second body arriving while the first is still read into a buffer, both correct", async () => {
    const first = encode(Array.from({ length: 300 }, (_, i) => [`First${i}`, i]));
    const second = encode([["Second", 1]]);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // the first body stops half way until the second has run
    const slow = new ReadableStream<Uint8Array>({
      async pull(controller) {
        controller.enqueue(first.slice(0, 64));
        await gate;
        controller.enqueue(first.slice(64));
        controller.close();
      },
      type: "bytes",
    });
    const chain = await plan("lowercase,len_plus_diff");
    const running = runChain(
      chain,
      { source: slow, byteLength: first.byteLength, schema },
      { segments: executor },
    );
    const quick = await runChain(chain, bodyOf(second), { segments: executor });
    assert.deepEqual(await rowsOf("lowercase,len_plus_diff", quick), [["second", 7]]);
    release();
    const rows = await rowsOf("lowercase,len_plus_diff", await running);
    assert.deepEqual(rows[299], ["first299", 299 + 8]);
  });

  it("runs a blog-ABI first operator from a buffer instead", async () => {
    const body = encode([
      ["hello", 1],
      ["world", -2],
      ["", 3],
    ]);
    const result = await runChain(await plan("len_plus_diff_blog"), bodyOf(body), { segments: executor });
    assert.deepEqual(await rowsOf("len_plus_diff_blog", result), [
      ["hello", 6],
      ["world", 3],
      ["", 3],
    ]);
  });

  it("gives a stage that repeats the previous operator its own instance", async () => {
    const body = encode([["a b", 7]]);
    const result = await runChain(await plan("split_words,split_words,identity,identity"), bodyOf(body), {
      segments: executor,
    });
    assert.deepEqual(await rowsOf("identity", result), [
      ["a", 7],
      ["b", 7],
    ]);
  });

  it("gives the same rows as the decoded path on random batches", async () => {
    const chain = "lowercase,filter_nonempty,len_plus_diff,split_words";
    const planned = await plan(chain);
    const row = fc.tuple(
      fc.array(fc.constantFrom("", "Ab", "ÀZ", " x ", "word"), { maxLength: 4 }).map((p) => p.join("")),
      fc.integer({ min: -1000, max: 1000 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 120 }), async (rows) => {
        const body = encode(rows);
        const direct = await runChain(planned, bodyOf(body), { segments: executor });
        const directRows = columnToRows(planned.output, direct.output.column);
        const decoded = await runChain(planned, decodeBatch(body, schema), { segments: executor });
        assert.deepEqual(directRows, columnToRows(planned.output, decoded.output.column));
      }),
      { numRuns: 100 },
    );
  });
});
