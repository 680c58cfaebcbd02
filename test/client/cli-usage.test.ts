// The CLI's exit status (src/client/usage-error.ts): 2 for a command line that cannot be run as
// typed (a bad flag value, a file named on it that cannot be read), 1 for what fails while running
// (a runtime's problem, a lost connection). And `colwasm ops --json` prints the HTTP API's field
// names (spec/http-api.md §Operators), read from a small local server. Mistakes the CLI can see
// before sending anything (no admin token, a bad --idempotency-key, a .wasm path in a run's chain)
// are told without a request, and answers that are no problem (another server on the port) or
// that need a hint (401 with no token set, 413 for a batch) say what to do.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { type CliRun, colwasm, isOneLine, ROOT as ROOT_DIR } from "./colwasm-process.ts";
import { closedPort } from "../support/closed-port.ts";
import { wat } from "../support/wat.ts";

const SCHEMA = "(String, i64)";

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "colwasm-usage-"));
});

after(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

function assertFails(run: CliRun, status: number, stderr: RegExp): void {
  assert.equal(run.status, status, run.stderr);
  assert.ok(isOneLine(run.stderr), run.stderr);
  assert.match(run.stderr, stderr);
}

describe("colwasm exit status", () => {
  // nothing listens there: reaching the runtime would fail with status 1, so 2 means the
  // command line was refused before any request
  const url = ["--url", "http://127.0.0.1:1"];

  test("a bad flag value exits 2, whichever flag and command", async () => {
    const runs = await Promise.all([
      colwasm(["run", "--chain", "x", "--schema", SCHEMA, "--format", "0.2", ...url]),
      colwasm(["run", "--chain", "x", "--schema", SCHEMA, "--batch-rows", "0", ...url]),
      colwasm(["run", "--chain", "x", "--schema", "(String, i6)", ...url]),
      colwasm(["encode", "--schema", "u8", "--format", "0.2"]),
      colwasm(["exec", "--chain", "split_words", "--schema", SCHEMA, "--format", "0.2"]),
      colwasm(["exec", "--chain", "split_words,,lowercase", "--schema", SCHEMA]),
    ]);
    const [format, batchRows, schema, encode, exec, chain] = runs;
    assertFails(format, 2, /^Bad request: Cannot read Columnar-Format "0\.2"/);
    assertFails(batchRows, 2, /^Bad request: Cannot read flag "--batch-rows"/);
    assertFails(schema, 2, /^Bad schema: /);
    assertFails(encode, 2, /^Bad request: /);
    assertFails(exec, 2, /^Bad request: /);
    assert.equal(chain.status, 2, chain.stderr);
  });

  test("a file named on the command line that does not exist exits 2", async () => {
    const missing = join(dir, "missing");
    const [push, run, build, exec] = await Promise.all([
      colwasm(["push", "op", `${missing}.wasm`, ...url]),
      colwasm(["run", "--chain", "x", "--schema", SCHEMA, `${missing}.jsonl`, ...url]),
      colwasm(["build", missing]),
      colwasm(["exec", "--chain", `${missing}.wasm`, "--schema", SCHEMA]),
    ]);
    assertFails(push, 2, /^Bad request: Cannot read module /);
    assertFails(run, 2, /^Bad request: Cannot read input /);
    assertFails(build, 2, /^Invalid operator: Cannot build .*: no such folder/);
    assertFails(exec, 2, /^Unknown operator: Cannot read operator /);
  });

  test("pushing a module without a manifest section and without --abi/--input/--output exits 2, naming the flags", async () => {
    const bare = join(dir, "bare.wasm");
    await writeFile(
      bare,
      wat(
        `(module (memory (export "memory") 1) (func (export "act") (param i32 i32) (result i32) (local.get 0)))`,
      ),
    );
    const [none, partial] = await Promise.all([
      colwasm(["push", "op", bare, ...url], { env: { COLWASM_ADMIN_TOKEN: "t" } }),
      colwasm(["push", "op", bare, "--abi", "blog", ...url], { env: { COLWASM_ADMIN_TOKEN: "t" } }),
    ]);
    assertFails(
      none,
      2,
      /^Invalid operator: Cannot push "op": .*bare\.wasm has no colwasm manifest section, so give its --abi, --input, --output \(or build it with colwasm build/,
    );
    assertFails(partial, 2, /so give its --input, --output /);
  });

  test("a runtime that cannot be reached exits 1", async () => {
    // port 1 is one fetch never connects to: no retry can mend that
    assertFails(
      await colwasm(["run", "--chain", "x", "--schema", SCHEMA, ...url], { input: '["a",1]\n' }),
      1,
      /^Unavailable: .*fetch never connects to this port/,
    );
    const refused = [
      "run",
      "--chain",
      "x",
      "--schema",
      SCHEMA,
      "--url",
      `http://127.0.0.1:${await closedPort()}`,
    ];
    assertFails(
      await colwasm([...refused, "--retries", "0"], { input: '["a",1]\n' }),
      1,
      /^Unavailable: .*connection refused/,
    );
    // by default a refused run (no reduce stage: safe to resend) is retried twice first, each announced
    const retried = await colwasm(refused, { input: '["a",1]\n' });
    assert.equal(retried.status, 1, retried.stderr);
    const lines = retried.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 3, retried.stderr);
    assert.match(lines[0], /^colwasm: retry 1 in \d+ ms \(ECONNREFUSED\)$/);
    assert.match(lines[1], /^colwasm: retry 2 in \d+ ms \(ECONNREFUSED\)$/);
    assert.match(lines[2], /^Unavailable: Cannot reach .*connection refused/);
  });
});

describe("colwasm ops --json", () => {
  test("prints each entry with the HTTP API's field names", async () => {
    const entries = [
      {
        name: "split_words",
        abi: "colwasm/1",
        input: "(String, i64)",
        output: "(String, i64)",
        sha256: "a".repeat(64),
        size: 100,
        builtin: true,
        uploaded_at: null,
      },
      {
        name: "shout",
        abi: "colwasm/1",
        input: "(String, i64)",
        output: "(String, i64)",
        description: "upper-cases",
        sha256: "b".repeat(64),
        size: 200,
        builtin: false,
        uploaded_at: "2026-01-02T03:04:05.000Z",
      },
    ];
    const server = createServer((req, res) => {
      res.writeHead(req.url === "/v1/operators" ? 200 : 404, { "content-type": "application/json" });
      res.end(JSON.stringify({ operators: entries }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const address = server.address();
      if (address === null || typeof address === "string") throw new Error("no port");
      const run = await colwasm(["ops", "--json", "--url", `http://127.0.0.1:${address.port}`]);
      assert.equal(run.status, 0, run.stderr);
      const printed = run.stdout
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as unknown);
      assert.deepEqual(printed, entries);
      assert.doesNotMatch(run.stdout, /uploadedAt/);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("colwasm state --output table", () => {
  test("sorts integer keys by value (decimal strings past 2^53 included) and string keys by code unit", async () => {
    const answers: Record<string, string> = {
      "/v1/state/ints": '[10,1]\n["18446744073709551615",2]\n[-5,3]\n[9,4]\n["9007199254740993",5]\n',
      "/v1/state/words": '["b",1]\n["B",2]\n["a",3]\n["ab",4]\n["é",5]\n',
    };
    await withServer(
      (req, res) => {
        res.writeHead(200, { "content-type": "application/x-ndjson" });
        res.end(answers[req.url ?? ""] ?? "");
      },
      async (url) => {
        const keysOf = async (name: string) => {
          const run = await colwasm(["state", name, "--output", "table", "--url", url], {
            env: { COLWASM_RUN_TOKEN: "r" },
          });
          assert.equal(run.status, 0, run.stderr);
          return run.stdout
            .trimEnd()
            .split("\n")
            .slice(2)
            .map((line) => line.trim().split(/ +/)[0]);
        };
        assert.deepEqual(await keysOf("ints"), ["-5", "9", "10", "9007199254740993", "18446744073709551615"]);
        assert.deepEqual(await keysOf("words"), ["B", "a", "ab", "b", "é"]);
      },
    );
  });
});

/** A local HTTP server answering every request with `handler`; counts the requests. */
async function withServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  body: (url: string, requests: () => number) => Promise<void>,
): Promise<void> {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    req.resume();
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const address = server.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    await body(`http://127.0.0.1:${address.port}`, () => requests);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe("colwasm says what it can before sending anything", () => {
  test("push and state --delete without COLWASM_ADMIN_TOKEN name the variable and send nothing", async () => {
    await withServer(
      (_req, res) => res.writeHead(500).end(),
      async (url, requests) => {
        const wasm = join(ROOT_DIR, "operators", "dist", "identity.wasm");
        const [push, drop] = await Promise.all([
          colwasm(["push", "op", wasm, "--url", url]),
          colwasm(["state", "wc", "--delete", "--url", url], { env: { COLWASM_RUN_TOKEN: "r" } }),
        ]);
        for (const run of [push, drop])
          assertFails(run, 2, /^Unauthorized: Cannot send an admin request: COLWASM_ADMIN_TOKEN is not set/);
        assert.equal(requests(), 0);
      },
    );
  });

  test("a bad --idempotency-key or a .wasm path in run's chain is a usage error, sent nowhere", async () => {
    await withServer(
      (_req, res) => res.writeHead(500).end(),
      async (url, requests) => {
        const run = (...flags: string[]) =>
          colwasm(["run", "--schema", SCHEMA, "--url", url, ...flags], { input: '["a",1]\n' });
        const [empty, comma, wide, path] = await Promise.all([
          run("--chain", "split_words", "--idempotency-key", ""),
          run("--chain", "split_words", "--idempotency-key", "a,b"),
          run("--chain", "split_words", "--idempotency-key", "é"),
          run("--chain", "./shout.wasm,split_words"),
        ]);
        for (const key of [empty, comma, wide])
          assertFails(key, 2, /^Bad request: Cannot read flag "--idempotency-key"/);
        assertFails(
          path,
          2,
          /^Bad request: Cannot parse chain stage 0: .*colwasm exec runs a \.wasm file locally/,
        );
        assert.equal(requests(), 0);
      },
    );
  });

  test("an answer that is no problem names the URL; a 401 without a token names the variables", async () => {
    await withServer(
      (req, res) => {
        if (req.url?.startsWith("/v1/state")) {
          res.writeHead(401, { "content-type": "application/problem+json" });
          res.end(
            '{"type":"/problems/unauthorized","title":"Unauthorized","status":401,"detail":"no token"}',
          );
        } else res.writeHead(404).end();
      },
      async (url) => {
        const ops = await colwasm(["ops", "--url", url]);
        assertFails(
          ops,
          1,
          /^Not found: http:\/\/127\.0\.0\.1:\d+\/v1\/operators answered HTTP 404 Not Found with no problem details/,
        );
        const state = await colwasm(["state", "wc", "--url", url]);
        assertFails(
          state,
          1,
          /^Unauthorized: no token \(no token was sent: COLWASM_RUN_TOKEN, else COLWASM_ADMIN_TOKEN, is not set\)$/m,
        );
        const withToken = await colwasm(["state", "wc", "--url", url], { env: { COLWASM_RUN_TOKEN: "x" } });
        assertFails(withToken, 1, /^Unauthorized: no token\n$/);
      },
    );
  });

  test("a 413 for a batch says how big it was and how to send smaller ones", async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(413, { "content-type": "application/problem+json" });
        res.end('{"type":"/problems/too-large","title":"Too large","status":413,"detail":"over the limit"}');
      },
      async (url) => {
        const run = await colwasm(["run", "--chain", "split_words", "--schema", SCHEMA, "--url", url], {
          input: '["a",1]\n["b",2]\n',
        });
        assertFails(
          run,
          1,
          /^Too large: over the limit \(this batch: 2 rows, \d+ bytes; send smaller ones with --batch-rows\)$/m,
        );
      },
    );
  });
});

describe("colwasm prints a runtime's problem as one line", () => {
  test("an operator's failure says 'Operator \"x\" failed' once; other titles, odd ones too, head their detail", async () => {
    const answers = [
      {
        type: "/problems/operator-failed",
        title: "Operator failed",
        status: 422,
        detail: 'Operator "shout" failed: act aborted: too loud',
      },
      { type: "/problems/bad-batch", title: "Bad batch (v2) [x]", status: 400, detail: "slice 3 is short" },
    ];
    let next = 0;
    await withServer(
      (_req, res) => {
        const problem = answers[next++ % answers.length];
        res.writeHead(problem.status, { "content-type": "application/problem+json" });
        res.end(JSON.stringify(problem));
      },
      async (url) => {
        const args = ["run", "--chain", "shout", "--schema", SCHEMA, "--retries", "0", "--url", url];
        const failed = await colwasm(args, { input: '["a",1]\n' });
        assertFails(failed, 1, /^Operator "shout" failed: act aborted: too loud$/m);
        const odd = await colwasm(args, { input: '["a",1]\n' });
        assertFails(odd, 1, /^Bad batch \(v2\) \[x\]: slice 3 is short$/m);
      },
    );
  });
});

describe("colwasm help and version", () => {
  test("--version prints the package version; a command without flags says so; extra words are refused", async () => {
    const [version, build, ops] = await Promise.all([
      colwasm(["--version"]),
      colwasm(["bench", "--help"]),
      colwasm(["ops", "name", "extra", "--url", "http://127.0.0.1:1"]),
    ]);
    assert.equal(version.status, 0);
    assert.match(version.stdout, /^colwasm \d+\.\d+\.\d+\n$/);
    // the one constant the runtimes' GET / reports too, kept equal to package.json's version
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      version: string;
    };
    assert.equal(version.stdout, `colwasm ${pkg.version}\n`);
    assert.equal(build.status, 0);
    assert.match(build.stdout, /\nFlags:\n {2}none\n$/);
    assertFails(ops, 2, /^Bad request: Cannot list operators: unexpected arguments/);
  });

  test("colwasm help COMMAND prints that command's help, as COMMAND --help does", async () => {
    const [help, flag, unknown] = await Promise.all([
      colwasm(["help", "run"]),
      colwasm(["run", "--help"]),
      colwasm(["help", "nosuch"]),
    ]);
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: colwasm run --chain /);
    assert.equal(help.stdout, flag.stdout);
    assertFails(unknown, 2, /unknown command/);
  });
});
