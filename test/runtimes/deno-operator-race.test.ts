// Concurrent uploads of one operator name on the Deno entry end to end: a real `deno run
// src/runtimes/deno.ts` process with its operators in Deno KV on a temporary state dir. PUT is
// idempotent (RFC 9110 §9.2.2) and the last write wins, as on Workers: 8 concurrent PUTs of one
// name (new or existing, same module or different ones) all answer 201, and the name then holds
// one of the uploaded modules, whole and runnable. (They answered 409 "being replaced concurrently"
// when KvOperatorStore gave up after 5 lost commits.)
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  columnToRows,
  decodeBatch,
  encodeBatch,
  parseSchema,
  rowsToColumn,
} from "../../src/columnar/index.ts";
import { type DenoServer, serveDeno } from "../../src/runtimes/serve-deno.node.ts";

const ADMIN = "deno-race-admin";
const SCHEMA = "(String, i64)";
const schema = parseSchema(SCHEMA);
const ROOT = new URL("../../", import.meta.url);
const FETCH_TIMEOUT_MS = 20_000;
const CONCURRENT = 8;

const wasm = async (name: string): Promise<Uint8Array> =>
  new Uint8Array(await readFile(new URL(`operators/dist/${name}.wasm`, ROOT)));
const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

describe("Deno runtime: concurrent PUTs of one operator name", { timeout: 90_000 }, () => {
  let stateDir: string;
  let server: DenoServer;

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "colwasm-deno-race-"));
    server = await serveDeno({ stateDir, env: { COLWASM_ADMIN_TOKEN: ADMIN }, forwardOutput: false });
  });
  after(async () => {
    await server?.stop();
    await rm(stateDir, { recursive: true, force: true });
  });

  const put = (name: string, bytes: Uint8Array): Promise<Response> =>
    fetch(`${server.url}/v1/operators/${name}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/wasm" },
      body: bytes.slice(),
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });

  /** Sends the PUTs at once and asserts every one answered 201. */
  async function putAll(name: string, modules: readonly Uint8Array[]): Promise<void> {
    const answers = await Promise.all(
      modules.map(async (m) => {
        const res = await put(name, m);
        return `${res.status} ${res.status === 201 ? "" : await res.text()}`.trim();
      }),
    );
    assert.deepEqual(answers, Array<string>(modules.length).fill("201"));
  }

  async function storedSha(name: string): Promise<string> {
    const res = await fetch(`${server.url}/v1/operators/${name}`, {
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    return (JSON.parse(text) as { sha256: string }).sha256;
  }

  test("of one module, for a new name and then replacing it: all 201", async () => {
    const identity = await wasm("identity");
    for (let round = 0; round < 3; round++) await putAll("raced_same", Array(CONCURRENT).fill(identity));
    assert.equal(await storedSha("raced_same"), sha256(identity));
    const rows = [["Hello", 1]];
    const res = await fetch(`${server.url}/v1/run?chain=raced_same`, {
      method: "POST",
      headers: { "content-type": "application/x-columnar", "columnar-schema": SCHEMA },
      body: encodeBatch(rowsToColumn(schema, rows)).slice(),
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
    const body = new Uint8Array(await res.arrayBuffer());
    assert.equal(res.status, 200, new TextDecoder().decode(body));
    assert.deepEqual(columnToRows(schema, decodeBatch(body, schema).column), rows);
  });

  test("of different modules: all 201, and the name holds one of them", async () => {
    const modules = await Promise.all(
      ["identity", "lowercase", "filter_nonempty", "len_plus_diff"].map(wasm),
    );
    const sent = Array.from({ length: CONCURRENT }, (_, k) => modules[k % modules.length]);
    await putAll("raced_mixed", sent);
    assert.ok(
      modules.map(sha256).includes(await storedSha("raced_mixed")),
      "the stored module is one of those uploaded",
    );
  });
});
