// ColwasmClient against real workerd (Miniflare): encodeBatch from rows, columns and bytes; run()
// returns decoded columns and the trace; problems arrive as typed errors with their fields; a 503
// (a reduce shard failing, COLWASM_TEST_HOOKS) is retried after its Retry-After under one
// Idempotency-Key and applied exactly once; nothing is retried without a key.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  BatchError,
  columnToRows,
  formatSchema,
  parseSchema,
  rowsToColumn,
} from "../../src/columnar/index.ts";
import {
  ColwasmClient,
  ColwasmClientError,
  ColwasmConnectionError,
  encodeBatch,
  rowsOf,
} from "../../src/client/index.ts";
import { serveWorkers, type WorkersServer } from "../../src/runtimes/serve-workers.node.ts";

const ADMIN = "client-admin-secret";
const SCHEMA = "(String, i64)";
const WORDS = Array.from({ length: 300 }, (_, k) => `k${k}`);

/** Orders `[key, total]` rows by key (a namespace's order is the shards'). */
const byKey = (a: unknown, b: unknown): number =>
  String((a as unknown[])[0]).localeCompare(String((b as unknown[])[0]));

let dir: string;
let server: WorkersServer;

/** A fetch that adds the shard-failure hook header to the first `failures` requests. */
function failingFirst(failures: number): { fetch: typeof fetch; readonly calls: string[] } {
  const calls: string[] = [];
  let left = failures;
  return {
    calls,
    fetch: (input, init) => {
      const headers = new Headers(init?.headers);
      calls.push(headers.get("idempotency-key") ?? "");
      if (left-- > 0) headers.set("colwasm-test-fail-shard", "3");
      return fetch(input, { ...init, headers });
    },
  };
}

describe("ColwasmClient on the Workers runtime", { timeout: 60_000 }, () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "colwasm-client-"));
    server = await serveWorkers({
      stateDir: dir,
      vars: { COLWASM_ADMIN_TOKEN: ADMIN, COLWASM_TEST_HOOKS: "1" },
    });
  });

  after(async () => {
    await server?.dispose();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test("run() returns the decoded output and the trace of every stage", async () => {
    const client = new ColwasmClient(server.url);
    const result = await client.run(
      "split_words,lowercase",
      encodeBatch(SCHEMA, [
        ["Hello World", 1],
        ["the THE", -2],
      ]),
    );
    const rows = rowsOf(result.batch, "(String, i64)"); // typed [string, number | string][]
    assert.deepEqual(rows, [
      ["hello", 1],
      ["world", 1],
      ["the", -2],
      ["the", -2],
    ]);
    assert.deepEqual(rows, columnToRows(result.batch.schema, result.batch.column));
    assert.deepEqual(
      result.trace.stages.map((s) => s.name),
      ["decode", "split_words", "lowercase", "encode"],
    );
    assert.ok(result.trace.copiedBytes > 0);
    assert.equal(result.attempts, 1);
  });

  test("encodeBatch() takes rows, a column tree or batch bytes alike", async () => {
    // a row held in a variable needs its tuple type (an array literal alone widens to (string | number)[])
    const rows: [string, number][] = [["a b", 1]];
    const fromRows = encodeBatch(SCHEMA, rows);
    const fromColumn = encodeBatch(SCHEMA, rowsToColumn(parseSchema(SCHEMA), rows));
    const fromBytes = encodeBatch(parseSchema(SCHEMA), fromRows.bytes.subarray(0));
    assert.deepEqual(fromColumn.bytes, fromRows.bytes);
    assert.deepEqual(fromBytes.bytes, fromRows.bytes);
    const result = await new ColwasmClient(server.url).run("split_words", fromBytes);
    assert.equal(result.batch.length, 2);
  });

  test("run() throws a typed problem with its title, type and fields", async () => {
    const client = new ColwasmClient(server.url);
    await assert.rejects(
      client.run("split_words", encodeBatch("(u64, i64)", [[1, 2]])),
      (error: unknown) =>
        error instanceof ColwasmClientError &&
        error.status === 422 &&
        error.type === "chain-type-mismatch" &&
        error.title !== "" &&
        error.isRetryable === false,
    );
    await assert.rejects(
      client.state("never_written"),
      (error: unknown) => error instanceof ColwasmClientError && error.type === "unknown-state",
    );
  });

  test("run() retries a 503 after its Retry-After under one key and applies it once", async () => {
    const waits: number[] = [];
    const wrapper = failingFirst(1);
    const client = new ColwasmClient(server.url, {
      fetch: wrapper.fetch,
      sleep: async (ms) => void waits.push(ms),
    });
    const rows = WORDS.map((w): [string, number] => [w, 1]);
    const result = await client.run("reduce:retried", encodeBatch(SCHEMA, rows), { retries: 2 });
    assert.equal(result.attempts, 2);
    assert.deepEqual(waits, [1000]); // Retry-After: 1
    assert.equal(wrapper.calls.length, 2);
    assert.ok(wrapper.calls[0] !== "" && wrapper.calls[0] === wrapper.calls[1], "one generated key");
    const totals = await client.state("retried");
    assert.equal(totals.length, WORDS.length);
    assert.ok(totals.every(([, total]) => total === 1));
  });

  test("run() with retries: 0 sends a keyed reduce once, and a 503 arrives as a retryable problem", async () => {
    const wrapper = failingFirst(1);
    const client = new ColwasmClient(server.url, { fetch: wrapper.fetch });
    await assert.rejects(
      client.run(
        "reduce:unretried",
        encodeBatch(
          SCHEMA,
          WORDS.map((w) => [w, 1]),
        ),
        { idempotencyKey: "k-1", retries: 0 },
      ),
      (error: unknown) =>
        error instanceof ColwasmClientError &&
        error.status === 503 &&
        error.isRetryable &&
        error.retryAfterMs === 1000,
    );
    assert.equal(wrapper.calls.length, 1);
  });

  test("runRows() sends a generator's rows in batches, each under its own key, and a resend applies nothing twice", async () => {
    const client = new ColwasmClient(server.url);
    function* lines(): Generator<[string, number]> {
      for (let i = 0; i < 1000; i++) yield [`${WORDS[i % 300]} ${WORDS[(i * 7) % 300]}`, 1];
    }
    const expected = new Map<string, number>();
    for (const [text] of lines())
      for (const w of text.split(" ")) expected.set(w, (expected.get(w) ?? 0) + 1);
    for (let send = 0; send < 2; send++) {
      const seen: [number, number, number][] = [];
      for await (const answer of client.runRows("split_words,reduce:rows_wc", SCHEMA, lines(), {
        batchRows: 300,
        idempotencyKey: "rows-1",
      })) {
        seen.push([answer.index, answer.firstRow, answer.rows]);
        assert.equal(answer.idempotencyKey, `rows-1-${answer.index}`);
      }
      assert.deepEqual(seen, [
        [0, 0, 300],
        [1, 300, 300],
        [2, 600, 300],
        [3, 900, 100],
      ]);
    }
    const totals = await client.state("rows_wc");
    assert.deepEqual(
      totals.sort(byKey),
      [...expected].sort(byKey),
      "the second send was answered from the ledger, not reduced again",
    );
  });

  test("runRows() takes an async iterable, and a bad row rejects naming it after the batches before it", async () => {
    const client = new ColwasmClient(server.url);
    async function* rows(): AsyncGenerator<unknown> {
      for (let i = 0; i < 10; i++) yield i === 5 ? ["five", "not a number"] : [`w${i}`, i];
    }
    const answers: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const answer of client.runRows(
          "lowercase",
          SCHEMA,
          rows() as AsyncIterable<[string, number]>,
          {
            batchRows: 2,
          },
        )) {
          answers.push(answer.batch.length);
        }
      })(),
      (error: unknown) =>
        error instanceof BatchError && /^row 5 at \$\.1: expected integer/.test(error.message),
    );
    assert.deepEqual(answers, [2, 2], "rows 0-3 were sent in two batches");
    const none = client.runRows("lowercase", SCHEMA, []);
    assert.equal((await none.next()).done, true, "an empty input sends nothing");
  });

  test("state() and stateBatch() read an integer-keyed namespace as rows or as a batch", async () => {
    const client = new ColwasmClient(server.url);
    const big = "9007199254740993"; // beyond 2^53-1: a decimal string in JSON rows (spec §8)
    await client.run(
      "reduce:ints",
      encodeBatch("(i64, i64)", [
        [big, 1],
        [5, 7],
        [5, 2],
      ]),
    );
    assert.deepEqual(
      (await client.state("ints")).slice().sort(byKey),
      [
        [5, 9],
        [big, 1],
      ].sort(byKey),
    );
    assert.deepEqual(await client.state("ints", 5), [[5, 9]]);
    assert.deepEqual(await client.state("ints", BigInt(big)), [[big, 1]]);
    const all = await client.stateBatch("ints");
    assert.equal(formatSchema(all.schema), "(i64, i64)");
    assert.deepEqual(
      columnToRows(all.schema, all.column).sort(byKey),
      [
        [5, 9],
        [big, 1],
      ].sort(byKey),
    );
    const one = await client.stateBatch("ints", 5);
    assert.deepEqual(columnToRows(one.schema, one.column), [[5, 9]]);
    await assert.rejects(client.stateBatch("ints", 6), { type: "unknown-state", status: 404 });
  });

  test("a runtime that is not there is a ColwasmConnectionError", async () => {
    const client = new ColwasmClient("http://127.0.0.1:1");
    await assert.rejects(client.operators(), (error: unknown) => error instanceof ColwasmConnectionError);
  });
});
