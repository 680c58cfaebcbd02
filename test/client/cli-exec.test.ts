// `colwasm exec` (spec/cli.md) as a real process: built-in stages, a .wasm path with a headers
// manifest, reduce stages over the in-memory store, Columnar-Format 0.12, and a runaway loop
// stopped at the deadline with a one-line failure. Input streams in batches of --batch-rows (the
// whole input was one batch, so memory grew with it), from stdin or a FILE; --trace prints timings
// (stderr stays empty otherwise); --abi/--input/--output are for .wasm stages with no manifest.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function colwasm(args: string[], input = "") {
  const result = spawnSync(process.execPath, ["bin/colwasm.mjs", ...args], {
    cwd: ROOT,
    input,
    timeout: 60_000,
  });
  return {
    status: result.status,
    stdout: result.stdout.toString("utf8"),
    stderr: result.stderr.toString("utf8"),
  };
}

describe("colwasm exec", () => {
  it("runs split_words,lowercase over JSONL rows", () => {
    const run = colwasm(
      ["exec", "--chain", "split_words,lowercase", "--schema", "(String, i64)"],
      '["Hello World",1]\n["the THE",-2]\n',
    );
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '["hello",1]\n["world",1]\n["the",-2]\n["the",-2]\n');
  });

  it("runs a blog-ABI .wasm path given its manifest as flags (the worked example)", () => {
    const run = colwasm(
      [
        "exec",
        "--chain",
        "test/fixtures/wasm/dist/../../../../operators/dist/len_plus_diff_blog.wasm",
        "--schema",
        "(String, i64)",
        "--abi",
        "blog",
        "--input",
        "(String, i64)",
        "--output",
        "(String, i64)",
      ],
      '["hello",1]\n["world",-2]\n["",3]\n',
    );
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '["hello",6]\n["world",3]\n["",3]\n');
  });

  it("runs reduce: stages over an in-memory store: changed totals in first-appearance order", () => {
    const run = colwasm(
      ["exec", "--chain", "split_words,reduce:w", "--schema", "(String, i64)"],
      '["a b a",1]\n',
    );
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '["a",2]\n["b",1]\n');
  });

  it("runs an operator after a reduce, then a second reduce (a key whose diffs cancel is answered with 0)", () => {
    const run = colwasm(
      ["exec", "--chain", "split_words,reduce:w,lowercase,reduce:v", "--schema", "(String, i64)"],
      '["A b A",1]\n["b c",2]\n["c",-2]\n',
    );
    assert.equal(run.status, 0, run.stderr);
    // w: A 2, b 3, c 0; lowercase; v: a 2, b 3, c 0
    assert.equal(run.stdout, '["a",2]\n["b",3]\n["c",0]\n');
  });

  it("runs operator and reduce stages with --format 0.12 as with 0.1", () => {
    for (const chain of ["split_words", "split_words,lowercase", "split_words,reduce:w,lowercase", ""]) {
      const input = '["Hello World",1]\n["the THE",-2]\n';
      const expected = colwasm(["exec", "--chain", chain, "--schema", "(String, i64)"], input);
      assert.equal(expected.status, 0, expected.stderr);
      const run = colwasm(["exec", "--chain", chain, "--schema", "(String, i64)", "--format", "0.12"], input);
      assert.equal(run.status, 0, `${chain}: ${run.stderr}`);
      assert.equal(run.stdout, expected.stdout, chain);
    }
  });

  it("stops an infinite loop at the deadline and exits non-zero with one line", () => {
    const run = colwasm(
      ["exec", "--chain", "test/fixtures/wasm/dist/infinite_loop.wasm", "--schema", "(String, i64)"],
      '["x",1]\n',
    );
    assert.equal(run.status, 1);
    // the title's words are in the detail already ("Operator "x" failed: …"): said once
    assert.match(
      run.stderr,
      /^Operator "test\/fixtures\/wasm\/dist\/infinite_loop\.wasm" failed: .*deadline.*\n$/,
    );
  });

  it("refuses a module that does not compile, or whose act has another type, as an invalid operator", () => {
    const dir = mkdtempSync(join(tmpdir(), "colwasm-exec-"));
    try {
      // a function section naming a type the module does not have: V8 refuses to compile it
      const broken = join(dir, "broken.wasm");
      writeFileSync(broken, Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 3, 2, 1, 0));
      const manifest = ["--abi", "colwasm/1", "--input", "(String, i64)", "--output", "(String, i64)"];
      const cases: [string[], RegExp][] = [
        [[broken, ...manifest], /^Invalid operator: Cannot compile operator ".*broken\.wasm": .*\n$/],
        [
          ["test/fixtures/wasm/dist/wide_act.wasm"],
          /^Invalid operator: .*"act" must have type \(i32, i32\) -> i32, it has \(i32, i32\) -> i64\n$/,
        ],
      ];
      for (const [[stage, ...flags], stderr] of cases) {
        const run = colwasm(["exec", "--chain", stage, "--schema", "(String, i64)", ...flags], '["x",1]\n');
        assert.equal(run.status, 1);
        assert.match(run.stderr, stderr);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes only the runtimes' built-ins by name (operators/dist also holds the scaffold's template)", () => {
    const run = colwasm(["exec", "--chain", "template", "--schema", "(String, i64)"], '["x",1]\n');
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^Unknown operator: Cannot find operator "template" among the built-ins/);
  });

  it("fails before running on a type mismatch", () => {
    const run = colwasm(["exec", "--chain", "lowercase", "--schema", "(u64, i64)"], "[1,2]\n");
    assert.equal(run.status, 1);
    assert.equal(run.stderr.split("\n").length, 2);
  });
});

/** A copy of operators/dist/NAME.wasm in `dir` without its colwasm manifest section. */
function bareCopy(name: string, dir: string): string {
  const bytes = readFileSync(join(ROOT, "operators", "dist", `${name}.wasm`));
  const parts = [bytes.subarray(0, 8)];
  let at = 8;
  const leb = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++];
      value |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value;
    }
  };
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++];
    const end = leb() + at;
    if (id !== 0) parts.push(bytes.subarray(start, end)); // custom sections (the manifest) dropped
    at = end;
  }
  const path = join(dir, `bare_${name}.wasm`);
  writeFileSync(path, Buffer.concat(parts));
  return path;
}

describe("colwasm exec streaming and flags", () => {
  it("runs the input in batches of --batch-rows; reduce totals carry over from batch to batch", () => {
    const input = '["a",1]\n["a",1]\n\n["a b",1]\n["b",5]\n["a",-3]\n';
    const run = colwasm(
      ["exec", "--chain", "split_words,reduce:w", "--schema", "(String, i64)", "--batch-rows", "2"],
      input,
    );
    assert.equal(run.status, 0, run.stderr);
    // batch 0: a a; batch 1: "a b", b; batch 2: a -3 (each prints its changed totals)
    assert.equal(run.stdout, '["a",2]\n["a",3]\n["b",6]\n["a",0]\n');
    assert.equal(run.stderr, "", "nothing on stderr without --trace (and no bar when piped)");
  });

  it("--trace prints one line per batch on stderr", () => {
    const run = colwasm(
      [
        "exec",
        "--chain",
        "split_words,lowercase",
        "--schema",
        "(String, i64)",
        "--batch-rows",
        "1",
        "--trace",
      ],
      '["A",1]\n["B",1]\n["C",1]\n',
    );
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '["a",1]\n["b",1]\n["c",1]\n');
    const lines = run.stderr.split("\n").filter((l) => l !== "");
    assert.equal(lines.length, 3, run.stderr);
    assert.match(lines[2], /^batch 2: split_words [\d.]+ ms, lowercase [\d.]+ ms; \d+ bytes copied$/);
  });

  it("--trace also prints, per batch and stage, what the operators printed (WASI stdout, AssemblyScript console.log)", () => {
    const cEcho = join(ROOT, "test", "fixtures", "toolchains", "c_echo.wasm");
    const stockAbort = join(ROOT, "test", "fixtures", "wasm", "dist", "stock_abort.wasm");
    const run = colwasm(
      [
        "exec",
        "--chain",
        `${cEcho},split_words,${stockAbort}`,
        "--schema",
        "(String, i64)",
        "--abi",
        "colwasm/1",
        "--input",
        "(String, i64)",
        "--output",
        "(String, i64)",
        "--batch-rows",
        "2",
        "--trace",
      ],
      '["a b",1]\n["c",1]\n["d",2]\n',
    );
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '["a",1]\n["b",1]\n["c",1]\n["d",2]\n');
    const lines = run.stderr.split("\n").filter((l) => l !== "" && !l.startsWith("colwasm:"));
    assert.deepEqual(
      lines.map((l) => l.replace(/^batch (\d+): .*$/, "batch $1")),
      [
        "batch 0",
        `  ${cEcho}: c_echo: 2 records`,
        `  ${stockAbort}: checking 3 diffs`,
        "batch 1",
        `  ${cEcho}: c_echo: 1 records`,
        `  ${stockAbort}: checking 1 diffs`,
      ],
    );
  });

  it("reads a FILE argument; a second argument, a bad --batch-rows or a folder is a usage error", () => {
    const dir = mkdtempSync(join(tmpdir(), "colwasm-exec-file-"));
    try {
      const file = join(dir, "rows.jsonl");
      writeFileSync(file, '["Hello World",1]\n');
      const chain = ["exec", "--chain", "split_words,lowercase", "--schema", "(String, i64)"];
      const run = colwasm([...chain, file]);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout, '["hello",1]\n["world",1]\n');
      for (const args of [[file, file], ["--batch-rows", "0", file], [dir]]) {
        const bad = colwasm([...chain, ...args]);
        assert.equal(bad.status, 2, bad.stderr);
        assert.match(
          bad.stderr,
          /^Bad request: Cannot (exec: unexpected arguments|read flag "--batch-rows"|read input)/,
        );
        assert.equal(bad.stderr.split("\n").length, 2, bad.stderr);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a bad row names its input line as well as its row", () => {
    const run = colwasm(
      ["exec", "--chain", "split_words", "--schema", "(String, i64)", "--batch-rows", "1"],
      '["a",1]\n\n\n["b",2.5]\n',
    );
    assert.equal(run.status, 1);
    assert.equal(
      run.stderr,
      `Bad batch: row 1 at $.1: expected integer in i64 range, got 2.5 (write a whole number, as a JSON integer or a decimal string such as "-12") (line 4)\n`,
    );
  });

  it("a .wasm stage without a manifest needs --abi, --input and --output, and only it takes them", () => {
    const dir = mkdtempSync(join(tmpdir(), "colwasm-exec-bare-"));
    try {
      const bare = bareCopy("len_plus_diff", dir);
      const missing = colwasm(
        ["exec", "--chain", bare, "--schema", "(String, i64)", "--abi", "colwasm/1"],
        '["ab",1]\n',
      );
      assert.equal(missing.status, 2, missing.stderr);
      assert.match(
        missing.stderr,
        /^Invalid operator: Cannot run ".*bare_len_plus_diff\.wasm": it has no colwasm manifest section, so give its --input, --output /,
      );
      const badAbi = colwasm(
        ["exec", "--chain", bare, "--schema", "(String, i64)", "--abi", "wasi"],
        '["ab",1]\n',
      );
      assert.equal(badAbi.status, 2, badAbi.stderr);
      assert.match(
        badAbi.stderr,
        /^Bad request: Cannot read flag "--abi": expected colwasm\/1 or blog, found "wasi"\n$/,
      );
      // the blog built-in keeps its own manifest (blog ABI) while the bare stage takes the flags
      const blog = join(ROOT, "operators", "dist", "len_plus_diff_blog.wasm");
      const manifest = ["--abi", "colwasm/1", "--input", "(String, i64)", "--output", "(String, i64)"];
      const mixed = colwasm(
        ["exec", "--chain", `${bare},${blog}`, "--schema", "(String, i64)", ...manifest],
        '["ab",1]\n',
      );
      assert.equal(mixed.status, 0, mixed.stderr);
      assert.equal(mixed.stdout, '["ab",5]\n');
      assert.equal(mixed.stderr, "", "the bare stage took the flags: nothing to warn about");
      // flags no stage takes (every .wasm stage has its section) are told, not silently dropped
      const unused = colwasm(
        [
          "exec",
          "--chain",
          blog,
          "--schema",
          "(String, i64)",
          "--input",
          "(u32, f64)",
          "--output",
          "(u32, f64)",
        ],
        '["ab",1]\n',
      );
      assert.equal(unused.status, 0, unused.stderr);
      assert.equal(unused.stdout, '["ab",3]\n');
      assert.match(
        unused.stderr,
        /^colwasm: .*len_plus_diff_blog\.wasm has a colwasm manifest section, which exec keeps: --input, --output apply only to \.wasm stages without one\n$/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
