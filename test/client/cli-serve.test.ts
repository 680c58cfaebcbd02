// `colwasm serve` (spec/cli.md) as a real process, started from a folder other than the repository:
// it prints its URL once, and a relative `--state DIR` is the caller's folder, for both runtimes
// (the Deno child runs in the repository, so a relative path passed on as is would land there).
// A serve that cannot start (port in use, --state not a folder, a bad --port) fails at once with one
// line: it printed workerd's or Deno's stack trace, and the Workers one then never exited.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { colwasm, isOneLine, ROOT } from "./colwasm-process.ts";

const ADMIN = "serve-cli-admin";

/** A `colwasm serve` process and what it printed so far. */
interface Served {
  readonly child: ChildProcess;
  readonly url: string;
  stdout(): string;
  /** SIGTERM, then waits for the process to exit. */
  stop(): Promise<void>;
}

/** Starts `colwasm serve ...args` in `cwd` and resolves once it printed its `state:` line. */
function serve(args: readonly string[], cwd: string, env: Record<string, string> = {}): Promise<Served> {
  const child = spawn(process.execPath, [`${ROOT}bin/colwasm.mjs`, "serve", ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", COLWASM_ADMIN_TOKEN: ADMIN, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
  let stdout = "";
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (t: string) => (stderr += t));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    await closed;
    clearTimeout(timer);
  };
  return new Promise<Served>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`serve did not start:\n${stdout}\n${stderr}`));
    }, 50_000);
    void closed.then(() => {
      clearTimeout(timer);
      reject(new Error(`serve exited before listening:\n${stdout}\n${stderr}`));
    });
    child.stdout?.setEncoding("utf8").on("data", (t: string) => {
      stdout += t;
      const url = /listening on (http:\/\/\S+)\n/.exec(stdout)?.[1];
      if (url === undefined || !/^state: .*\n/m.test(stdout)) return;
      clearTimeout(timer);
      resolve({ child, url, stdout: () => stdout, stop });
    });
  });
}

let cwd: string;
const running: Served[] = [];

describe("colwasm serve from another folder", { timeout: 120_000 }, () => {
  before(async () => {
    cwd = await mkdtemp(join(tmpdir(), "colwasm-serve-cwd-"));
  });

  after(async () => {
    await Promise.all(running.map((s) => s.stop()));
    if (cwd !== undefined) await rm(cwd, { recursive: true, force: true });
  });

  test("--runtime deno prints its URL once and keeps a relative --state in the caller's folder", async () => {
    const name = `rel-state-deno-${process.pid}`;
    const served = await serve(["--runtime", "deno", "--port", "0", "--state", name], cwd);
    running.push(served);
    // let anything Deno forwards after its start arrive
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stdout = served.stdout();
    assert.equal(stdout.match(/listening on/g)?.length, 1, stdout);
    assert.ok(stdout.includes(`state: ${join(cwd, name)}\n`), stdout);
    // says where the admin token comes from, never the token
    assert.ok(stdout.includes("admin token: COLWASM_ADMIN_TOKEN from the environment\n"), stdout);
    assert.ok(!stdout.includes(ADMIN), stdout);
    assert.ok(existsSync(join(cwd, name, "colwasm.kv")), `no KV file under ${join(cwd, name)}`);
    assert.equal(existsSync(join(ROOT, name)), false, `state written under the repository`);
    await served.stop();
  });

  test("--runtime workers prints its URL once, keeps a relative --state in the caller's folder and takes REDUCE_SHARDS", async () => {
    const name = `rel-state-workers-${process.pid}`;
    const served = await serve(["--runtime", "workers", "--port", "0", "--state", name], cwd, {
      REDUCE_SHARDS: "4",
    });
    running.push(served);
    // Durable Object storage is created when an object is first used: list the operators
    const ops = await colwasm(["ops"], { env: { COLWASM_URL: served.url, COLWASM_ADMIN_TOKEN: ADMIN } });
    assert.equal(ops.status, 0, ops.stderr);
    const stdout = served.stdout();
    assert.equal(stdout.match(/listening on/g)?.length, 1, stdout);
    assert.ok(stdout.includes(`state: ${join(cwd, name)}\n`), stdout);
    assert.ok((await readdir(join(cwd, name))).length > 0, `nothing stored under ${join(cwd, name)}`);
    assert.equal(existsSync(join(ROOT, name)), false, `state written under the repository`);
    // 26 distinct keys over REDUCE_SHARDS=4 shards touch at most 4 (16 without the setting)
    const rows = Array.from({ length: 26 }, (_, i) => JSON.stringify([String.fromCharCode(97 + i), 1])).join(
      "\n",
    );
    const res = await fetch(`${served.url}/v1/run?chain=reduce:letters`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson", "columnar-schema": "(String, i64)" },
      body: `${rows}\n`,
    });
    assert.equal(res.status, 200, await res.text());
    assert.equal(res.headers.get("colwasm-reduce-shard-calls"), "4");
    await served.stop();
    // SIGTERM stops it in order, as on Deno (Miniflare's own handler ended the process first, 143)
    assert.ok(served.stdout().endsWith("colwasm stopped\n"), served.stdout());
    assert.equal(served.child.exitCode, 0);
  });
});

/** `colwasm serve ...args` to its end, stopped (status null) if it runs past `timeoutMs`. */
function serveToEnd(
  args: readonly string[],
  timeoutMs: number,
): Promise<{ status: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [`${ROOT}bin/colwasm.mjs`, "serve", ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", COLWASM_ADMIN_TOKEN: ADMIN },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (t: string) => (stdout += t));
  child.stderr.setEncoding("utf8").on("data", (t: string) => (stderr += t));
  // a serve that runs on (the regression) is asked to stop, then killed
  const timer = setTimeout(() => {
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5_000).unref();
  }, timeoutMs);
  return new Promise((resolve) =>
    child.once("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, ms: Date.now() - started });
    }),
  );
}

describe("colwasm serve that cannot start", { timeout: 120_000 }, () => {
  test("a port in use fails at once with one line, on both runtimes", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const address = taken.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    const state = await mkdtemp(join(tmpdir(), "colwasm-serve-busy-"));
    try {
      for (const runtime of ["workers", "deno"]) {
        const run = await serveToEnd(
          ["--runtime", runtime, "--port", String(address.port), "--state", state],
          40_000,
        );
        assert.equal(run.status, 1, `${runtime}: ${run.stderr}`);
        assert.ok(isOneLine(run.stderr), `${runtime}: ${run.stderr}`);
        assert.match(
          run.stderr,
          new RegExp(`^Unavailable: Cannot listen on 127\\.0\\.0\\.1:${address.port}: the address is in use`),
        );
        assert.equal(run.stdout, "");
      }
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
      await rm(state, { recursive: true, force: true });
    }
  });

  test("a --state that is not a folder, and a bad --port, are usage errors (status 2)", async () => {
    const file = join(ROOT, "package.json");
    const runs = await Promise.all([
      serveToEnd(["--port", "0", "--state", join(file, "state")], 40_000),
      serveToEnd(["--runtime", "deno", "--port", "0", "--state", file], 40_000),
      serveToEnd(["--port", ""], 40_000),
      serveToEnd(["--port", "-1"], 40_000),
      serveToEnd(["--port", "80x"], 40_000),
      serveToEnd(["extra"], 40_000),
    ]);
    for (const run of runs) {
      assert.equal(run.status, 2, run.stderr);
      assert.ok(isOneLine(run.stderr), run.stderr);
    }
    assert.match(runs[0].stderr, /^Bad request: Cannot keep state in .* \(--state\): it is not a folder/);
    assert.match(
      runs[2].stderr,
      /^Bad request: Cannot listen on port "": expected an integer from 0 to 65535/,
    );
  });
});
