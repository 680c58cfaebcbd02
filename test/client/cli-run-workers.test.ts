// The CLI against real workerd (Miniflare, src/runtimes/serve-workers.node.ts), as processes: an
// operator scaffolded by `colwasm new`, built by `colwasm build` and uploaded by `colwasm push`,
// then 200k JSONL rows streamed through `NAME,split_words,reduce:wc` in batches with bounded memory,
// totals read back with `colwasm state` against a plain-JS word count, and one-line failures.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { serveWorkers, type WorkersServer } from "../../src/runtimes/serve-workers.node.ts";
import { closedPort } from "../support/closed-port.ts";
import { colwasm, isOneLine, maxRssMb, totalsOf, wordcountOf, writeWordRows } from "./colwasm-process.ts";

const ADMIN = "cli-admin-secret";
const RUNNER = "cli-run-secret";
const SCHEMA = "(String, i64)";
/** Peak RSS of the CLI, whatever the input size: one batch in memory, never the file. */
const MAX_RSS_MB = 200;

let dir: string;
let server: WorkersServer;
let env: Record<string, string>;

describe("colwasm CLI on the Workers runtime", { timeout: 60_000 }, () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "colwasm-cli-"));
    server = await serveWorkers({
      stateDir: join(dir, "state"),
      vars: { COLWASM_ADMIN_TOKEN: ADMIN, COLWASM_RUN_TOKEN: RUNNER },
    });
    env = { COLWASM_URL: server.url, COLWASM_ADMIN_TOKEN: ADMIN, COLWASM_RUN_TOKEN: RUNNER };
  });

  after(async () => {
    await server?.dispose();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test("new, build and push upload a scaffolded operator that ops lists", async () => {
    const created = await colwasm(["new", "echo_words", "--dir", dir]);
    assert.equal(created.status, 0, created.stderr);
    const built = await colwasm(["build", join(dir, "echo_words")]);
    assert.equal(built.status, 0, built.stderr);
    assert.match(built.stdout, /2 examples pass/);
    const pushed = await colwasm(
      ["push", "echo_words", join(dir, "echo_words", "build", "echo_words.wasm")],
      {
        env,
      },
    );
    assert.equal(pushed.status, 0, pushed.stderr);
    const ops = await colwasm(["ops", "--json"], { env });
    assert.equal(ops.status, 0, ops.stderr);
    const listed = ops.stdout
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as { name: string; builtin: boolean });
    assert.ok(
      listed.some((op) => op.name === "echo_words" && !op.builtin),
      ops.stdout,
    );
  });

  test("ops NAME shows one operator; ops NAME --delete removes an upload, not a built-in, and says what went wrong in one line", async () => {
    const wasm = join(dir, "echo_words", "build", "echo_words.wasm");
    assert.equal((await colwasm(["push", "gone_soon", wasm], { env })).status, 0);
    const one = await colwasm(["ops", "gone_soon", "--json"], { env });
    assert.equal(one.status, 0, one.stderr);
    assert.deepEqual(
      one.stdout
        .trim()
        .split("\n")
        .map((l) => (JSON.parse(l) as { name: string }).name),
      ["gone_soon"],
    );
    assert.match(
      (await colwasm(["ops", "split_words"], { env })).stdout,
      /^name +abi .*\n[- ]+\nsplit_words +colwasm\/1 .*\n$/,
    );

    const deleted = await colwasm(["ops", "gone_soon", "--delete"], { env });
    assert.equal(deleted.status, 0, deleted.stderr);
    assert.equal(deleted.stdout, "deleted operator gone_soon\n");
    const [after, again, builtin, noName, noToken] = await Promise.all([
      colwasm(["ops", "gone_soon"], { env }),
      colwasm(["ops", "gone_soon", "--delete"], { env }),
      colwasm(["ops", "split_words", "--delete"], { env }),
      colwasm(["ops", "--delete"], { env }),
      colwasm(["ops", "echo_words", "--delete"], { env: { ...env, COLWASM_ADMIN_TOKEN: "" } }),
    ]);
    for (const failed of [after, again, builtin, noName, noToken])
      assert.ok(isOneLine(failed.stderr), failed.stderr);
    assert.equal(after.status, 1);
    assert.match(after.stderr, /^Unknown operator: /);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /^Unknown operator: /);
    assert.equal(builtin.status, 1);
    assert.match(builtin.stderr, /^Conflict: Cannot delete operator "split_words": it is built in$/m);
    assert.equal(noName.status, 2);
    assert.equal(noToken.status, 2);
    // the operator the next test runs is still there
    assert.equal((await colwasm(["ops", "echo_words"], { env })).status, 0);
  });

  test("run streams 200k rows in batches through echo_words,split_words,reduce:wc; state has the totals", async () => {
    const rows = join(dir, "rows-200k.jsonl");
    await writeWordRows(rows, 200_000, 7);
    const args = ["run", "--chain", "echo_words,split_words,reduce:wc", "--schema", SCHEMA];
    const flags = ["--batch-rows", "20000", "--idempotency-key", "wc-200k", "--quiet"];
    const run = await colwasm([...args, ...flags], {
      inputFile: rows,
      env: { ...env, COLWASM_REPORT_RSS: "1" },
    });
    assert.equal(run.status, 0, run.stderr);
    // one answer per batch: the changed totals of the batch's distinct words (500 words, 10 batches)
    const answered = run.stdout.split("\n").filter((l) => l !== "").length;
    assert.ok(answered > 500 * 9 && answered <= 500 * 10, `${answered} result rows`);
    const rss200k = maxRssMb(run);
    assert.ok(rss200k < MAX_RSS_MB, `peak RSS ${rss200k.toFixed(0)} MB`);

    const expected = await wordcountOf(rows);
    const state = await colwasm(["state", "wc"], { env });
    assert.equal(state.status, 0, state.stderr);
    assert.deepEqual(totalsOf(state.stdout), expected);
    // the table is for reading: sorted by key, one line per total after its two header lines
    const table = await colwasm(["state", "wc", "--output", "table"], { env });
    assert.equal(table.status, 0, table.stderr);
    const tableRows = table.stdout
      .trimEnd()
      .split("\n")
      .slice(2)
      .map((line) => line.trim().split(/ +/));
    const sortedKeys = [...expected.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    assert.deepEqual(
      tableRows.map(([key]) => key),
      sortedKeys,
    );
    assert.deepEqual(
      tableRows.map(([, total]) => BigInt(total)),
      sortedKeys.map((key) => BigInt(expected.get(key) ?? -1)),
    );

    // the same key again replays every batch: nothing is applied twice
    const again = await colwasm([...args, ...flags], { inputFile: rows, env });
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(totalsOf((await colwasm(["state", "wc"], { env })).stdout), expected);

    const [word, total] = [...expected][0];
    const one = await colwasm(["state", "wc", "--key", word], { env });
    assert.equal(one.stdout, `${JSON.stringify([word, total])}\n`);
  });

  test("run keeps the same peak RSS bound on twice the rows", async () => {
    const rows = join(dir, "rows-400k.jsonl");
    await writeWordRows(rows, 400_000, 11);
    const run = await colwasm(
      ["run", "--chain", "split_words,reduce:wc_big", "--schema", SCHEMA, "--batch-rows", "20000"],
      { inputFile: rows, env: { ...env, COLWASM_REPORT_RSS: "1" } },
    );
    assert.equal(run.status, 0, run.stderr);
    const rss400k = maxRssMb(run);
    assert.ok(rss400k < MAX_RSS_MB, `peak RSS ${rss400k.toFixed(0)} MB`);
    console.log(`# colwasm run: 400k rows, peak RSS ${rss400k.toFixed(0)} MB`);
    assert.deepEqual(totalsOf((await colwasm(["state", "wc_big"], { env })).stdout), await wordcountOf(rows));
  });

  test("a wrong URL, a wrong token and a bad schema each fail with one line", async () => {
    const input = '["to be",1]\n';
    const port = await closedPort();
    const refused = await colwasm(
      // --retries 0: a chain without reduce is otherwise resent twice, each retry announced
      [
        "run",
        "--chain",
        "split_words",
        "--schema",
        SCHEMA,
        "--retries",
        "0",
        "--url",
        `http://127.0.0.1:${port}`,
      ],
      { input, env },
    );
    assert.equal(refused.status, 1);
    assert.ok(isOneLine(refused.stderr), refused.stderr);
    assert.match(refused.stderr, /^Unavailable: Cannot reach .*connection refused/);

    const wrongToken = await colwasm(["run", "--chain", "split_words", "--schema", SCHEMA], {
      input,
      env: { ...env, COLWASM_RUN_TOKEN: "not-the-token" },
    });
    assert.equal(wrongToken.status, 1);
    assert.ok(isOneLine(wrongToken.stderr), wrongToken.stderr);
    assert.match(wrongToken.stderr, /^Unauthorized: /);

    const badSchema = await colwasm(["run", "--chain", "split_words", "--schema", "(String, i6)"], {
      input,
      env,
    });
    assert.notEqual(badSchema.status, 0);
    assert.ok(isOneLine(badSchema.stderr), badSchema.stderr);
    assert.match(badSchema.stderr, /^Bad schema: /);

    const wrongAdmin = await colwasm(["state", "wc", "--delete"], {
      env: { ...env, COLWASM_ADMIN_TOKEN: "nope" },
    });
    assert.equal(wrongAdmin.status, 1);
    assert.ok(isOneLine(wrongAdmin.stderr), wrongAdmin.stderr);
  });

  test("run reports a problem of the runtime as Title: detail", async () => {
    const mismatch = await colwasm(["run", "--chain", "split_words", "--schema", "(u64, i64)"], {
      input: "[1,2]\n",
      env,
    });
    assert.equal(mismatch.status, 1);
    assert.ok(isOneLine(mismatch.stderr), mismatch.stderr);
    assert.match(mismatch.stderr, /^Chain type mismatch: /);
    const absent = await colwasm(["state", "no_such_state"], { env });
    assert.equal(absent.status, 1);
    assert.match(absent.stderr, /^Unknown state: /);
  });
});
