// Hostile operators on BOTH real runtimes (issue #9, spec/operator-abi.md §Limits and faults):
// every fault is its spec problem (status + type + reason/rule), the runtime keeps serving (a good
// request right after), and an instance that faulted is never reused (a module that poisons itself).
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { DEFAULT_OPERATOR_LIMITS } from "../../src/wasm/index.ts";
import {
  batch as fixtureBatch,
  fixtureWasm,
  makeApp,
  run as runInProcess,
  upload as uploadInProcess,
} from "../http/app-fixture.ts";
import {
  batch,
  buildWorker,
  call,
  captureOutput,
  expectProblem,
  expectRows,
  RUNTIMES,
  run,
  startRuntime,
  type TestRuntime,
  upload,
  wasmFile,
  wat,
} from "./runtimes.ts";

const ADMIN = "hostile-admin-secret";
const VARS = {
  COLWASM_ADMIN_TOKEN: ADMIN,
  COLWASM_DEADLINE_MS: "500",
  COLWASM_MAX_MODULE_BYTES: "1000000",
  COLWASM_MAX_MEMORY_PAGES: "1024",
};
const TEST_TIMEOUT_MS = 30_000;
const FIXTURES = "test/fixtures/wasm/dist/";

/** A bump `alloc` on fresh pages, as in the fixtures. */
const ALLOC = `
  (func (export "alloc") (param $size i32) (result i32)
    (local $at i32)
    (local.set $at (i32.shl (memory.size) (i32.const 16)))
    (if (i32.lt_s (memory.grow (i32.add (i32.shr_u (local.get $size) (i32.const 16)) (i32.const 1))) (i32.const 0))
      (then (return (i32.const 0))))
    (local.get $at))
  (func (export "reset"))`;

/**
 * Identity that poisons itself: a batch over 256 bytes sets a global and traps; a poisoned
 * instance answers every later batch with act → 0. So a 200 after the trap proves a fresh instance.
 */
const POISON_WAT = `(module
  (memory (export "memory") 1)
  (global $poisoned (mut i32) (i32.const 0))
  ${ALLOC}
  (func (export "act") (param $ptr i32) (param $len i32) (result i32)
    (if (global.get $poisoned) (then (return (i32.const 0))))
    (if (i32.gt_u (local.get $len) (i32.const 256))
      (then (global.set $poisoned (i32.const 1)) (unreachable)))
    (local.get $ptr)))`;

/** `module` with a `colwasm` custom section holding `manifest` (spec/operator-abi.md §Manifest). */
function withManifest(module: Uint8Array, manifest: unknown): Uint8Array {
  const leb = (n: number): number[] => {
    const out: number[] = [];
    do {
      out.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
      n = Math.floor(n / 128);
    } while (n > 0);
    return out;
  };
  const name = new TextEncoder().encode("colwasm");
  const json = new TextEncoder().encode(JSON.stringify(manifest));
  const payload = [...leb(name.length), ...name, ...json];
  return new Uint8Array([...module, 0, ...leb(payload.length), ...payload]);
}

const MANIFEST = { abi: "colwasm/1", input: "(String, i64)", output: "(String, i64)" };

for (const kind of RUNTIMES) {
  describe(`hostile operators on ${kind}`, { timeout: 240_000 }, () => {
    let runtime: TestRuntime;
    let stateDir: string;
    let url: string;

    /** A good request right after a fault: the runtime keeps serving. */
    async function expectServing(): Promise<void> {
      await expectRows(await run(url, "split_words", batch([["still serving", 3]])), [
        ["still", 3],
        ["serving", 3],
      ]);
    }

    async function uploadOk(
      name: string,
      wasm: Uint8Array,
      headers: Record<string, string> = {},
    ): Promise<void> {
      const res = await upload(url, name, wasm, { token: ADMIN, headers });
      assert.equal(res.status, 201, await res.text());
    }

    before(async () => {
      stateDir = await mkdtemp(join(tmpdir(), `colwasm-hostile-${kind}-`));
      const bundleDir = kind === "workers" ? buildWorker("worker-reliability-hostile") : undefined;
      // Deno's output forwarded, as workerd's is: one test reads what operators printed there
      runtime = await startRuntime(kind, { stateDir, vars: VARS, bundleDir, forwardOutput: true });
      url = runtime.url;
    });

    after(async () => {
      await runtime?.stop();
      if (stateDir !== undefined) await rm(stateDir, { recursive: true, force: true });
    });

    const faults: [fixture: string, reason: string][] = [
      ["infinite_loop", "deadline"],
      // fuel charged by instructions and bulk bytes, not iterations (workerd meters; Deno's threads time out)
      ["heavy_loop", "deadline"],
      ["fill_loop", "deadline"],
      ["memory_bomb", "memory"],
      ["huge_length", "invalid-output"],
      ["oob_output", "invalid-output"],
      ["garbage_output", "invalid-output"],
      ["act_zero", "error"],
      ["trap", "trap"],
    ];
    for (const [fixture, reason] of faults) {
      test(
        `${fixture} is 422 operator-failed (${reason}) twice, and the runtime keeps serving`,
        { timeout: TEST_TIMEOUT_MS },
        async () => {
          await uploadOk(`h_${fixture}`, wasmFile(`${FIXTURES}${fixture}.wasm`));
          for (let attempt = 0; attempt < 2; attempt++) {
            const started = performance.now();
            const problem = await expectProblem(
              await run(url, `h_${fixture}`, batch([["a b", 1]])),
              422,
              "operator-failed",
            );
            assert.equal(problem.reason, reason);
            if (reason === "deadline") {
              const ms = performance.now() - started;
              assert.ok(ms < 5000, `answered in ${ms.toFixed(0)} ms, near the 500 ms deadline`);
            }
            assert.equal(problem.operator, `h_${fixture}`);
            await expectServing();
          }
        },
      );
    }

    if (kind === "deno") {
      test(
        "a quick run answers before runaway loops that hold every core's sandbox thread (a spare thread takes it)",
        { timeout: TEST_TIMEOUT_MS },
        async () => {
          await uploadOk("h_spin", wasmFile(`${FIXTURES}infinite_loop.wasm`));
          await expectServing(); // every core thread has booted
          const answered: string[] = [];
          const loops = Array.from({ length: cpus().length }, async () => {
            const res = await run(url, "h_spin", batch([["a", 1]]));
            answered.push("loop");
            return res;
          });
          await new Promise((resolve) => setTimeout(resolve, 50));
          await expectServing();
          answered.push("quick");
          for (const res of await Promise.all(loops)) {
            assert.equal((await expectProblem(res, 422, "operator-failed")).reason, "deadline");
          }
          assert.equal(answered[0], "quick", `answered in the order ${answered.join(", ")}`);
        },
      );

      test(
        "a slow operator on a small batch outgrows the main thread's inline budget and finishes in a sandbox thread",
        { timeout: TEST_TIMEOUT_MS },
        async () => {
          // ~30M loop turns: far past the ~2 ms of fuel a small batch gets inline, well within 500 ms
          const slow = await wat(`(module
            (memory (export "memory") 1)
            ${ALLOC}
            (func (export "act") (param $ptr i32) (param $len i32) (result i32)
              (local $i i32)
              (loop $spin
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br_if $spin (i32.lt_u (local.get $i) (i32.const 30000000))))
              (local.get $ptr)))`);
          await uploadOk("h_slow", withManifest(slow, MANIFEST));
          for (let attempt = 0; attempt < 2; attempt++) {
            await expectRows(await run(url, "h_slow,lowercase", batch([["Slow But Sure", 7]])), [
              ["slow but sure", 7],
            ]);
          }
          await expectServing();
        },
      );

      test(
        "runaway loops stop burning CPU once answered (Deno cannot stop a spinning web Worker: modules spend fuel)",
        { timeout: TEST_TIMEOUT_MS },
        async () => {
          await uploadOk("h_spin_cpu", wasmFile(`${FIXTURES}infinite_loop.wasm`));
          const loops = Array.from({ length: 3 }, () => run(url, "h_spin_cpu", batch([["a", 1]])));
          for (const res of await Promise.all(loops)) {
            assert.equal((await expectProblem(res, 422, "operator-failed")).reason, "deadline");
          }
          const pid = runtime.pid;
          assert.ok(pid !== undefined && pid > 0);
          // /proc/PID/stat fields 14 and 15: user and system time in clock ticks (100 a second)
          const cpuTicks = async () => {
            const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1].split(" ");
            return Number(fields[11]) + Number(fields[12]);
          };
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          const before = await cpuTicks();
          await new Promise((resolve) => setTimeout(resolve, 2_000));
          const spent = (await cpuTicks()) - before;
          // three threads still spinning would spend ~400 ticks (2 cores for 2 s); idle is ~0
          assert.ok(spent < 60, `the idle server spent ${spent} clock ticks in 2 s`);
          await expectServing();
        },
      );
    }

    test("a fault mid-chain names the failing operator and stage", { timeout: TEST_TIMEOUT_MS }, async () => {
      await uploadOk("h_trap_mid", wasmFile(`${FIXTURES}trap.wasm`));
      const problem = await expectProblem(
        await run(url, "split_words,h_trap_mid,lowercase", batch([["a b", 1]])),
        422,
        "operator-failed",
      );
      assert.equal(problem.operator, "h_trap_mid");
      assert.equal(problem.reason, "trap");
      await expectServing();
    });

    test(
      "no instance is reused after a fault (a self-poisoning module answers 200 after its trap)",
      {
        timeout: TEST_TIMEOUT_MS,
      },
      async () => {
        await uploadOk("h_poison", await wat(POISON_WAT), {
          "operator-abi": "colwasm/1",
          "operator-input": "(String, i64)",
          "operator-output": "(String, i64)",
        });
        await expectRows(await run(url, "h_poison", batch([["short", 1]])), [["short", 1]]);
        const big = batch([["x".repeat(400), 2]]);
        const problem = await expectProblem(await run(url, "h_poison", big), 422, "operator-failed");
        assert.equal(problem.reason, "trap");
        for (let k = 0; k < 3; k++)
          await expectRows(await run(url, "h_poison", batch([["again", k]])), [["again", k]]);
      },
    );

    test(
      "a module with imports is 422 invalid-operator (imports) and is not stored",
      {
        timeout: TEST_TIMEOUT_MS,
      },
      async () => {
        const problem = await expectProblem(
          await upload(url, "h_import", wasmFile(`${FIXTURES}with_import.wasm`), { token: ADMIN }),
          422,
          "invalid-operator",
        );
        assert.equal(problem.rule, "imports");
        await expectProblem(await call(url, "/v1/operators/h_import"), 404, "unknown-operator");
        await expectServing();
      },
    );

    test(
      "AssemblyScript built with asc's stock flags (env.abort, trace, seed, console.log) uploads and runs; its abort is 422 operator-failed (trap) with its message and what it logged",
      { timeout: TEST_TIMEOUT_MS },
      async () => {
        // the upload runs the manifest's example: the import is supplied where modules are checked too
        await uploadOk("h_stock_abort", wasmFile(`${FIXTURES}stock_abort.wasm`));
        await expectRows(await run(url, "h_stock_abort,split_words", batch([["p q", 2]])), [
          ["p", 2],
          ["q", 2],
        ]);
        const problem = await expectProblem(
          await run(url, "split_words,h_stock_abort", batch([["p q", -2]])),
          422,
          "operator-failed",
        );
        assert.equal(problem.operator, "h_stock_abort");
        assert.equal(problem.reason, "trap");
        assert.equal(problem.stage, 1);
        assert.match(
          String(problem.detail),
          /aborted: a diff is negative \(at \S*stock_abort\.ts:\d+:\d+\); it printed: checking 2 diffs \| trace: negative diff at 0$/,
        );
        await expectRows(await run(url, "h_stock_abort", batch([["r", 3]])), [["r", 3]]);
      },
    );

    test(
      "C with wasi-libc, C++ with libc++ and Rust with std (wasm32-wasi and -unknown-unknown) upload and run; failures carry what they printed",
      { timeout: TEST_TIMEOUT_MS },
      async () => {
        const headers = {
          "operator-abi": "colwasm/1",
          "operator-input": "(String, i64)",
          "operator-output": "(String, i64)",
        };
        const toolchains = "test/fixtures/toolchains/";
        await uploadOk("h_c_echo", wasmFile(`${toolchains}c_echo.wasm`), headers);
        await uploadOk("h_rust_upper", wasmFile(`${toolchains}rust_upper_wasi.wasm`), headers);
        await uploadOk("h_cpp_upper", wasmFile(`${toolchains}cpp_upper.wasm`), headers);
        await uploadOk("h_rust_plain", wasmFile(`${toolchains}rust_upper_unknown.wasm`), headers);
        await expectRows(await run(url, "h_cpp_upper,h_rust_plain", batch([["mix Ü", 4]])), [["MIX Ü", 4]]);
        await expectRows(await run(url, "h_c_echo,h_rust_upper,split_words", batch([["to bé", 2]])), [
          ["TO", 2],
          ["Bé", 2],
        ]);
        const c = await expectProblem(
          await run(
            url,
            "h_c_echo",
            batch([
              ["a", 1],
              ["b", -2],
            ]),
          ),
          422,
          "operator-failed",
        );
        assert.equal(c.reason, "trap");
        assert.match(String(c.detail), /; it printed: c_echo: record 1 has a negative diff \(-2\)$/);
        const rust = await expectProblem(
          await run(url, "split_words,h_rust_upper", batch([["p q", -2]])),
          422,
          "operator-failed",
        );
        assert.equal(rust.reason, "trap");
        assert.equal(rust.stage, 1);
        assert.match(
          String(rust.detail),
          /panicked at 'record 0 has a negative diff \(-2\)', rust_upper\.rs:\d+:\d+/,
        );
        await expectRows(await run(url, "h_rust_upper", batch([["ok", 1]])), [["OK", 1]]);
      },
    );

    test(
      "what an operator prints (non-ASCII too) goes to the runtime's log, a line per batch, and the run answers 200",
      { timeout: TEST_TIMEOUT_MS },
      async () => {
        const text = new TextEncoder().encode("naïve ✓ 中\n");
        const data = [...text].map((b) => `\\${b.toString(16).padStart(2, "0")}`).join("");
        const source = `(module
          (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 64) "${data}")
          ${ALLOC}
          (func (export "act") (param $ptr i32) (param $len i32) (result i32)
            (i32.store (i32.const 0) (i32.const 64))
            (i32.store (i32.const 4) (i32.const ${text.length}))
            (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16)))
            (local.get $ptr)))`;
        await uploadOk("h_prints", await wat(source), {
          "operator-abi": "colwasm/1",
          "operator-input": "(String, i64)",
          "operator-output": "(String, i64)",
        });
        const output = captureOutput();
        try {
          for (let k = 0; k < 2; k++)
            await expectRows(await run(url, "h_prints,split_words", batch([["x y", k]])), [
              ["x", k],
              ["y", k],
            ]);
          // the prints reach the runtime's log (workerd's through Miniflare, Deno's stdout) a bit later
          const line = "[operator h_prints] naïve ✓ 中";
          for (let waited = 0; output.text().split(line).length < 3 && waited < 5_000; waited += 50)
            await new Promise((resolve) => setTimeout(resolve, 50));
          assert.equal(output.text().split(line).length - 1, 2, output.text().slice(-2000));
        } finally {
          output.restore();
        }
      },
    );

    test(
      "a module that uses exception handling uploads and runs (its catch works under fuel metering); an exception nothing catches is 422 operator-failed (trap)",
      { timeout: TEST_TIMEOUT_MS },
      async () => {
        // act sends its input address through a thrown and caught exception; from 200 bytes of
        // input on it throws one that nothing catches
        const source = `(module
          (memory (export "memory") 1)
          (tag $carry (param i32))
          ${ALLOC}
          (func (export "act") (param $ptr i32) (param $len i32) (result i32)
            (local $out i32)
            (try (do (throw $carry (local.get $ptr))) (catch $carry (local.set $out)))
            (if (i32.ge_u (local.get $len) (i32.const 200)) (then (throw $carry (i32.const 0))))
            (local.get $out)))`;
        await uploadOk("h_exceptions", await wat(source, { exceptions: true }), {
          "operator-abi": "colwasm/1",
          "operator-input": "(String, i64)",
          "operator-output": "(String, i64)",
        });
        await expectRows(await run(url, "h_exceptions", batch([["small", 1]])), [["small", 1]]);
        const problem = await expectProblem(
          await run(url, "h_exceptions", batch([["x".repeat(300), 2]])),
          422,
          "operator-failed",
        );
        assert.equal(problem.reason, "trap");
        assert.match(String(problem.detail), /act threw: a WebAssembly exception that nothing caught$/);
        await expectRows(await run(url, "h_exceptions", batch([["again", 3]])), [["again", 3]]);
      },
    );

    test(
      "a module whose act returns i64 is 422 invalid-operator (exports) naming both types, and is not stored",
      { timeout: TEST_TIMEOUT_MS },
      async () => {
        const problem = await expectProblem(
          await upload(url, "h_wide", wasmFile(`${FIXTURES}wide_act.wasm`), { token: ADMIN }),
          422,
          "invalid-operator",
        );
        assert.equal(problem.rule, "exports");
        assert.match(String(problem.detail), /\(i32, i32\) -> i32, it has \(i32, i32\) -> i64/);
        await expectProblem(await call(url, "/v1/operators/h_wide"), 404, "unknown-operator");
        await expectServing();
      },
    );

    test(
      "modules that cannot be instantiated are 422 invalid-operator (instantiate) at upload and not stored",
      { timeout: TEST_TIMEOUT_MS },
      async () => {
        const cases: [string, Uint8Array, RegExp][] = [
          // a start function that never returns: instantiating runs under the deadline too
          ["h_start_loop", wasmFile(`${FIXTURES}start_loop.wasm`), /ran out of fuel|deadline/],
          // a data segment past the end of its one page: every instantiation traps
          [
            "h_data_past",
            withManifest(
              await wat(`(module (memory (export "memory") 1) (data (i32.const 70000) "x")
                (func (export "alloc") (param i32) (result i32) (i32.const 8))
                (func (export "act") (param i32 i32) (result i32) (local.get 0)))`),
              MANIFEST,
            ),
            /out of bounds/,
          ],
        ];
        for (const [name, module, detail] of cases) {
          const started = performance.now();
          const problem = await expectProblem(
            await upload(url, name, module, { token: ADMIN }),
            422,
            "invalid-operator",
          );
          assert.equal(problem.rule, "instantiate", name);
          assert.match(String(problem.detail), detail);
          assert.ok(performance.now() - started < 5000, `${name} answered near the 500 ms deadline`);
          await expectProblem(await call(url, `/v1/operators/${name}`), 404, "unknown-operator");
        }
        await expectServing();
      },
    );

    test("a non-WASM upload is 422 invalid-operator (not-wasm)", { timeout: TEST_TIMEOUT_MS }, async () => {
      for (const bytes of [
        new TextEncoder().encode("#!/bin/sh\ncurl http://example.com\n"),
        new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0xff, 0xff]),
        new Uint8Array(0),
      ]) {
        const problem = await expectProblem(
          await upload(url, "h_text", bytes, { token: ADMIN }),
          422,
          "invalid-operator",
        );
        assert.equal(problem.rule, "not-wasm");
      }
      await expectServing();
    });

    test(
      "a 50 MB upload is 413 too-large (with Content-Length, and streamed without it)",
      {
        timeout: TEST_TIMEOUT_MS,
      },
      async () => {
        const fifty = new Uint8Array(50 * 1024 * 1024);
        fifty.set([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
        // The server may answer 413 and close while the client still writes: the client then sees
        // the reset instead of the answer (RFC 9112 §9.6). Either way it stopped at the limit.
        const isReset = (error: unknown) => {
          const code = (error as { cause?: { code?: unknown } }).cause?.code;
          return code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_SOCKET";
        };
        try {
          await expectProblem(await upload(url, "h_huge", fifty, { token: ADMIN }), 413, "too-large");
        } catch (error) {
          assert.ok(isReset(error), String(error));
        }
        const chunk = new Uint8Array(1024 * 1024);
        let sent = 0;
        const stream = new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent >= 50) return controller.close();
            sent++;
            controller.enqueue(chunk.slice());
          },
        });
        try {
          const streamed = await call(url, "/v1/operators/h_huge", {
            method: "PUT",
            headers: { "content-type": "application/wasm" },
            body: stream,
            token: ADMIN,
            duplex: "half",
          } as RequestInit);
          await expectProblem(streamed, 413, "too-large");
        } catch (error) {
          assert.ok(isReset(error), String(error));
        }
        await expectProblem(await call(url, "/v1/operators/h_huge"), 404, "unknown-operator");
        await expectServing();
      },
    );

    test(
      "examples that trap, loop forever or disagree are 422 invalid-operator (example)",
      {
        timeout: TEST_TIMEOUT_MS,
      },
      async () => {
        const example = { in: [["a", 1]], out: [["a", 1]] };
        const cases: [string, Uint8Array, unknown][] = [
          ["h_ex_trap", wasmFile(`${FIXTURES}trap.wasm`), { ...MANIFEST, examples: [example] }],
          ["h_ex_loop", wasmFile(`${FIXTURES}infinite_loop.wasm`), { ...MANIFEST, examples: [example] }],
          [
            "h_ex_wrong",
            await wat(POISON_WAT),
            { ...MANIFEST, examples: [{ in: [["a", 1]], out: [["b", 2]] }] },
          ],
        ];
        for (const [name, module, manifest] of cases) {
          // the fixtures already carry a manifest section; a second one must not pass either
          const bytes =
            name === "h_ex_wrong"
              ? withManifest(module, manifest)
              : withManifest(await stripped(module), manifest);
          const problem = await expectProblem(
            await upload(url, name, bytes, { token: ADMIN }),
            422,
            "invalid-operator",
          );
          assert.equal(problem.rule, "example", name);
          await expectProblem(await call(url, `/v1/operators/${name}`), 404, "unknown-operator");
        }
        await expectServing();
      },
    );

    test("uploads and runs keep working after every fault above", { timeout: TEST_TIMEOUT_MS }, async () => {
      await uploadOk("h_identity", wasmFile("operators/dist/identity.wasm"));
      await expectRows(await run(url, "h_identity,split_words", batch([["p q", 5]])), [
        ["p", 5],
        ["q", 5],
      ]);
    });
  });
}

/** `module` without its custom sections (so a test can give it another manifest). */
async function stripped(module: Uint8Array): Promise<Uint8Array> {
  const out = [...module.subarray(0, 8)];
  let at = 8;
  while (at < module.length) {
    const start = at;
    const id = module[at++];
    let size = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = module[at++];
      size |= (byte & 0x7f) << shift;
      shift += 7;
    } while (byte & 0x80);
    at += size;
    if (id !== 0) out.push(...module.subarray(start, at));
  }
  return new Uint8Array(out);
}

describe("faults around a reduce stage (in-process app)", () => {
  const rows = (r: unknown[][]) => fixtureBatch(r);
  const state = async (app: Awaited<ReturnType<typeof makeApp>>, name: string) => {
    const res = await app.request(`/v1/state/${name}`);
    return res.status === 404 ? "" : await res.text();
  };

  test("a fault before the reduce leaves state untouched; one after it leaves the reduce committed, and a retry with the same key does not apply it twice", async () => {
    const app = await makeApp();
    assert.equal((await uploadInProcess(app, "h_trap", fixtureWasm("trap"))).status, 201);
    const before = await runInProcess(app, "h_trap,reduce:before", rows([["a", 1]]), {
      "idempotency-key": "b1",
    });
    assert.equal(before.status, 422);
    assert.equal(await state(app, "before"), "");
    for (let attempt = 0; attempt < 2; attempt++) {
      const res = await runInProcess(app, "reduce:after,h_trap", rows([["a", 1]]), {
        "idempotency-key": "a1",
      });
      const problem = (await res.json()) as Record<string, unknown>;
      assert.equal(res.status, 422);
      assert.equal(problem.type, "/problems/operator-failed");
      assert.equal(problem.reason, "trap");
      assert.equal(await state(app, "after"), '["a",1]\n');
    }
    const next = await runInProcess(app, "reduce:after", rows([["a", 1]]), { "idempotency-key": "a2" });
    assert.equal(next.status, 200);
    assert.equal(await state(app, "after"), '["a",2]\n');
  });

  test("memory_bomb under a 256-page cap reports reason memory (its first memory.grow already fails)", async () => {
    const app = await makeApp({
      limits: { operator: { ...DEFAULT_OPERATOR_LIMITS, maxMemoryPages: 256 } },
    });
    assert.equal((await uploadInProcess(app, "h_bomb", fixtureWasm("memory_bomb"))).status, 201);
    const res = await runInProcess(app, "h_bomb", rows([["a", 1]]));
    const problem = (await res.json()) as Record<string, unknown>;
    assert.equal(res.status, 422);
    assert.equal(problem.reason, "memory");
  });
});
