// `colwasm encode` / `colwasm decode` (spec/cli.md) run as a real process through bin/colwasm.mjs:
// bytes of spec/columnar-format.md §9, rows back, and one-line failures with a non-zero status.
// Decode's chunked row reader is also checked in-process for linear work on Option columns.
// Both read a FILE argument like run (an extra argument was silently ignored and stdin read
// instead), and a rejected line is named by its line number as well as its row index.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { jsonLineChunks } from "../../src/client/json-line-chunks.ts";
import { type Bits, type Column, parseSchema, rowsToColumn } from "../../src/columnar/index.ts";
import { bytesToHex, loadVectors } from "../support/vectors.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const PAIR_JSONL = '["hello",1]\n["world",-2]\n["",3]\n';

interface Run {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

function colwasm(args: string[], input: string | Uint8Array = ""): Run {
  const result = spawnSync(process.execPath, ["bin/colwasm.mjs", ...args], {
    cwd: ROOT,
    input,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr.toString("utf8") };
}

function vectorHex(name: string, format: string): string {
  const found = loadVectors().find((v) => v.name === name && v.format === format);
  assert.ok(found, `vector ${name} ${format}`);
  return found.hex;
}

/** Asserts a failed run: the status, and exactly one stderr line starting with the problem title. */
function assertFails(run: Run, status: number, title: string): void {
  assert.equal(run.status, status);
  const lines = run.stderr.split("\n");
  assert.equal(lines.length, 2, `one line on stderr, got ${JSON.stringify(run.stderr)}`);
  assert.equal(lines[1], "");
  assert.ok(lines[0].startsWith(`${title}: `), lines[0]);
}

describe("colwasm encode", () => {
  it("colwasm encode writes the 88-byte body of spec §9.1", () => {
    const run = colwasm(["encode", "--schema", "(String, i64)"], PAIR_JSONL);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.length, 88);
    assert.equal(bytesToHex(run.stdout), vectorHex("string_i64_basic", "0.1"));
  });

  it("colwasm encode --format=0.12 writes the 96-byte body of spec §9.2", () => {
    const run = colwasm(["encode", "--schema", "(String, i64)", "--format=0.12"], PAIR_JSONL);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(bytesToHex(run.stdout), vectorHex("string_i64_basic", "0.12"));
  });

  it("colwasm encode reads CRLF lines, a BOM and blank lines", () => {
    const run = colwasm(
      ["encode", "--schema", " ( String ,i64 ) "],
      `\ufeff["hello",1]\r\n\r\n["world",-2]\n  \n["",3]`,
    );
    assert.equal(run.status, 0, run.stderr);
    assert.equal(bytesToHex(run.stdout), vectorHex("string_i64_basic", "0.1"));
  });

  it("colwasm encode writes an empty batch for empty input", () => {
    const run = colwasm(["encode", "--schema", "(String, i64)"]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.length, 24);
  });

  it("colwasm encode fails on a row that does not fit the schema", () => {
    assertFails(colwasm(["encode", "--schema", "(String, i64)"], '["a",1]\n["b",1.5]\n'), 1, "Bad batch");
    assertFails(colwasm(["encode", "--schema", "(String, i64)"], '["a",1]\n["b",\n'), 1, "Bad batch");
  });

  it("colwasm encode reads a JSON array of rows on one line as one row and says so", () => {
    const run = colwasm(["encode", "--schema", "(String, i64)"], '[["a",1],["b",2]]\n');
    assertFails(run, 1, "Bad batch");
    assert.match(run.stderr, /row 0 at \$\.0: expected a well-formed string/);
    assert.match(run.stderr, /JSON array of 2 rows.*JSONL: one row per line/);
    // a row that is simply wrong gets no such hint
    const wrong = colwasm(["encode", "--schema", "(String, i64)"], '["a",1,2]\n');
    assertFails(wrong, 1, "Bad batch");
    assert.doesNotMatch(wrong.stderr, /JSONL/);
  });

  it("colwasm encode fails on a bad schema or format as a usage error (status 2)", () => {
    assertFails(colwasm(["encode", "--schema", "(string, i64)"], PAIR_JSONL), 2, "Bad schema");
    assertFails(colwasm(["encode", "--schema", "u8", "--format", "0.2"], "1\n"), 2, "Bad request");
    assertFails(colwasm(["decode", "--schema", "u8", "--format", "0.2"], "1\n"), 2, "Bad request");
  });
});

describe("colwasm decode", () => {
  it("colwasm decode gives the rows back as JSONL", () => {
    for (const format of ["0.1", "0.12"]) {
      const body = colwasm(["encode", "--schema", "(String, i64)", "--format", format], PAIR_JSONL).stdout;
      const run = colwasm(["decode", "--schema", "(String, i64)", "--format", format], body);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout.toString("utf8"), PAIR_JSONL);
    }
  });

  it("colwasm decode streams many rows in order", () => {
    const rows = Array.from({ length: 150_000 }, (_, i) => JSON.stringify([`w${i % 977}`, i - 75_000]));
    const input = rows.join("\n") + "\n";
    const body = colwasm(["encode", "--schema", "(String, i64)"], input).stdout;
    const run = colwasm(["decode", "--schema", "(String, i64)"], body);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.toString("utf8"), input);
  });

  it("colwasm decode streams Option and Result columns across chunks in order", () => {
    const schema = "(Option<String>, Result<u8, Option<i64>>)";
    const rows = Array.from({ length: 140_000 }, (_, i) =>
      JSON.stringify([
        i % 3 === 0 ? null : `s${i}`,
        i % 5 === 0 ? { Err: i % 2 === 0 ? null : i } : { Ok: i % 256 },
      ]),
    );
    const input = rows.join("\n") + "\n";
    for (const format of ["0.1", "0.12"]) {
      const body = colwasm(["encode", "--schema", schema, "--format", format], input);
      assert.equal(body.status, 0, body.stderr);
      const run = colwasm(["decode", "--schema", schema, "--format", format], body.stdout);
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stdout.toString("utf8"), input, format);
    }
  });

  it("decode's chunks build an Option column's rank table once, not once per chunk", () => {
    const schema = parseSchema("Option<u8>");
    const length = 1 << 16;
    const column = rowsToColumn(
      schema,
      Array.from({ length }, (_, i) => (i % 3 === 0 ? null : i % 256)),
    );
    assert.equal(column.kind, "option");
    /** Reads of the bitmap's fields while `column`'s rows are written in chunks of `rows`. */
    const bitReads = (rows: number): { reads: number; text: string } => {
      let reads = 0;
      const bits = new Proxy(column.bits, {
        get(target, key) {
          reads++;
          return target[key as keyof Bits];
        },
      });
      const counted: Column = { ...column, bits };
      const text = [...jsonLineChunks(schema, counted, rows)].join("");
      return { reads, text };
    };
    const whole = bitReads(length);
    const chunked = bitReads(1024);
    assert.equal(chunked.text, whole.text);
    // every row reads its bit once either way; a rank table per chunk would add 63 more passes
    assert.ok(chunked.reads < whole.reads * 1.1, `${chunked.reads} reads in chunks, ${whole.reads} at once`);
  });

  it("colwasm decode fails with one line on a bad body", () => {
    assertFails(colwasm(["decode", "--schema", "(String, i64)"], "garbage!"), 1, "Bad batch");
    const body = colwasm(["encode", "--schema", "(String, i64)"], PAIR_JSONL).stdout;
    assertFails(colwasm(["decode", "--schema", "(String, i64)"], body.subarray(0, 80)), 1, "Bad batch");
    assertFails(colwasm(["decode", "--schema", "(String, i64)", "--format", "0.12"], body), 1, "Bad batch");
  });
});

describe("colwasm dispatcher", () => {
  it("colwasm lists the commands for an unknown command", () => {
    const run = colwasm(["frobnicate"]);
    assertFails(run, 2, "Bad request");
    assert.ok(run.stderr.includes("encode") && run.stderr.includes("decode"));
  });

  it("colwasm rejects unknown flags and missing values with status 2", () => {
    assertFails(colwasm(["encode", "--schema", "u8", "--bogus", "1"]), 2, "Bad request");
    assertFails(colwasm(["encode", "--schema"]), 2, "Bad request");
    assertFails(colwasm(["decode"]), 2, "Bad request");
  });

  it("colwasm <command> --help prints the command's usage and exits 0", () => {
    for (const name of ["encode", "decode"]) {
      const run = colwasm([name, "--help"]);
      assert.equal(run.status, 0);
      assert.ok(run.stdout.toString("utf8").startsWith(`Usage: colwasm ${name}`));
    }
    const overview = colwasm(["--help"]);
    assert.equal(overview.status, 0);
    assert.ok(overview.stdout.toString("utf8").includes("encode"));
  });
});

describe("colwasm encode and decode input", () => {
  it("encode and decode read a FILE argument (- is stdin)", () => {
    const dir = mkdtempSync(join(tmpdir(), "colwasm-codec-file-"));
    try {
      const rows = join(dir, "rows.jsonl");
      writeFileSync(rows, PAIR_JSONL);
      const encoded = colwasm(["encode", "--schema", "(String, i64)", rows]);
      assert.equal(encoded.status, 0, encoded.stderr);
      assert.equal(bytesToHex(encoded.stdout), vectorHex("string_i64_basic", "0.1"));
      const body = join(dir, "batch.bin");
      writeFileSync(body, encoded.stdout);
      const decoded = colwasm(["decode", "--schema", "(String, i64)", body]);
      assert.equal(decoded.status, 0, decoded.stderr);
      assert.equal(decoded.stdout.toString("utf8"), PAIR_JSONL);
      const dash = colwasm(["decode", "--schema", "(String, i64)", "-"], encoded.stdout);
      assert.equal(dash.stdout.toString("utf8"), PAIR_JSONL);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an extra argument, a missing FILE or a short flag is a usage error, not ignored", () => {
    assertFails(colwasm(["encode", "--schema", "u8", "a", "b"], "1\n"), 2, "Bad request");
    assertFails(colwasm(["decode", "--schema", "u8", "/nonexistent/batch.bin"]), 2, "Bad request");
    const short = colwasm(["encode", "--schema", "u8", "-f", "0.12"], "1\n");
    assertFails(short, 2, "Bad request");
    assert.match(short.stderr, /Cannot read flag "-f": unknown flag/);
  });

  it("a rejected row names its line: blank lines do not count as rows, but they are lines", () => {
    const syntax = colwasm(["encode", "--schema", "(String, i64)"], '["a",1]\n\n["b",2]\n["c",\n');
    assertFails(syntax, 1, "Bad batch");
    assert.match(syntax.stderr, /^Bad batch: row 2: not valid JSON \(.*\) \(line 4\)\n$/);
    const type = colwasm(["encode", "--schema", "(String, i64)"], '\r\n["a",1]\r\n["b",2.5]\r\n');
    assert.equal(
      type.stderr,
      `Bad batch: row 1 at $.1: expected integer in i64 range, got 2.5 (write a whole number, as a JSON integer or a decimal string such as "-12") (line 3)\n`,
    );
    // the JSONL hint comes after the line
    const array = colwasm(["encode", "--schema", "(String, i64)"], '[["a",1],["b",2]]\n');
    assert.match(array.stderr, /got \["a",1\] \(line 1\); this line looks like a JSON array of 2 rows/);
  });

  it("invalid UTF-8 names the line it is on", () => {
    const input = Buffer.concat([
      Buffer.from('["a",1]\n["b",1]\n["'),
      Buffer.from([0xff]),
      Buffer.from('",1]\n'),
    ]);
    const run = colwasm(["encode", "--schema", "(String, i64)"], input);
    assert.equal(run.stderr, "Bad batch: line 3: the input is not valid UTF-8\n");
    assert.equal(run.status, 1);
  });
});
