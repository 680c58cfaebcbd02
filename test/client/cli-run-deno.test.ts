// The CLI against a real Deno runtime (`deno run src/runtimes/deno.ts`, reduce state in Deno KV):
// built-in chains streamed in batches, totals read back with `colwasm state` against a plain-JS word
// count, an uploaded module, and one-line failures.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type DenoServer, serveDeno } from "../../src/runtimes/serve-deno.node.ts";
import { colwasm, isOneLine, ROOT, totalsOf, wordcountOf, writeWordRows } from "./colwasm-process.ts";

const ADMIN = "deno-cli-admin";
const SCHEMA = "(String, i64)";

let dir: string;
let server: DenoServer;
let env: Record<string, string>;

describe("colwasm CLI on the Deno runtime", { timeout: 60_000 }, () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "colwasm-cli-deno-"));
    server = await serveDeno({
      stateDir: join(dir, "state"),
      env: { COLWASM_ADMIN_TOKEN: ADMIN },
      forwardOutput: false,
      startTimeoutMs: 45_000,
    });
    env = { COLWASM_URL: server.url, COLWASM_ADMIN_TOKEN: ADMIN };
  });

  after(async () => {
    await server?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test("push uploads a module given its manifest as flags", async () => {
    const pushed = await colwasm(
      [
        "push",
        "blog_len",
        join(ROOT, "operators/dist/len_plus_diff_blog.wasm"),
        "--abi",
        "blog",
        "--input",
        SCHEMA,
        "--output",
        SCHEMA,
      ],
      { env },
    );
    assert.equal(pushed.status, 0, pushed.stderr);
    const run = await colwasm(["run", "--chain", "blog_len", "--schema", SCHEMA], {
      input: '["hello",1]\n',
      env,
    });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '["hello",6]\n');
  });

  test("run streams 200k rows in batches through split_words,reduce:wc; state has the totals", async () => {
    const rows = join(dir, "rows-200k.jsonl");
    await writeWordRows(rows, 200_000, 3);
    const run = await colwasm(
      ["run", "--chain", "split_words,reduce:wc", "--schema", SCHEMA, "--batch-rows", "20000"],
      { inputFile: rows, env: { ...env, COLWASM_REPORT_RSS: "1" } },
    );
    assert.equal(run.status, 0, run.stderr);
    const state = await colwasm(["state", "wc", "--output", "jsonl"], { env });
    assert.equal(state.status, 0, state.stderr);
    assert.deepEqual(totalsOf(state.stdout), await wordcountOf(rows));
  });

  test("a wrong admin token and an unknown operator fail with one line", async () => {
    const wrong = await colwasm(["push", "x", join(ROOT, "operators/dist/identity.wasm")], {
      env: { ...env, COLWASM_ADMIN_TOKEN: "wrong" },
    });
    assert.equal(wrong.status, 1);
    assert.ok(isOneLine(wrong.stderr), wrong.stderr);
    assert.match(wrong.stderr, /^Unauthorized: /);
    const unknown = await colwasm(["run", "--chain", "nope", "--schema", SCHEMA], {
      input: '["a",1]\n',
      env,
    });
    assert.equal(unknown.status, 1);
    assert.ok(isOneLine(unknown.stderr), unknown.stderr);
    assert.match(unknown.stderr, /^Unknown operator: /);
  });
});
