// The operator authoring flow as processes: `colwasm new` scaffolds from operators/template in a
// folder outside the repository, `colwasm build` compiles it with its manifest section and checks
// its examples, `colwasm exec` runs the .wasm, the scaffold's own test passes, and a broken example
// or source fails the build with one line. Outside the clone, the next step `new` prints and the
// scaffold's README run this checkout's bin, not `npx colwasm` (which would ask the npm registry).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { shownPath } from "../../src/client/commands/build.ts";
import { colwasm, isOneLine, ROOT } from "./colwasm-process.ts";

let dir: string;

/** `text` as a literal in a RegExp. */
const literal = (text: string): string => text.replaceAll(/[.*+?^${}()|[\]\\/]/g, "\\$&");

describe("colwasm new and build", { timeout: 60_000 }, () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "colwasm-new-"));
  });

  after(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test("new scaffolds an operator that build, exec and its own test accept", async () => {
    const created = await colwasm(["new", "shout"], { cwd: dir });
    assert.equal(created.status, 0, created.stderr);
    const op = join(dir, "shout");
    // outside the clone, npx would fetch a package named colwasm from the registry: the next step
    // and the scaffold's README name this checkout's bin instead
    const bin = `node ${join(ROOT, "bin", "colwasm.mjs")}`;
    assert.match(created.stdout, new RegExp(`\\nnext: ${literal(bin)} build ${literal(op)}\\n$`));
    const readme = await readFile(join(op, "README.md"), "utf8");
    assert.doesNotMatch(readme, /npx colwasm/);
    assert.ok(readme.includes(`\n${bin} build .`), readme);
    const manifest = JSON.parse(await readFile(join(op, "manifest.json"), "utf8")) as { description: string };
    assert.match(manifest.description, /^shout:/);

    const built = await colwasm(["build"], { cwd: op });
    assert.equal(built.status, 0, built.stderr);
    assert.equal(built.stdout, "built shout -> build/shout.wasm (" + built.stdout.split("(")[1]);

    const exec = await colwasm(["exec", "--chain", "./shout/build/shout.wasm", "--schema", "(String, i64)"], {
      cwd: dir,
      input: '["hi",2]\n',
    });
    assert.equal(exec.status, 0, exec.stderr);
    assert.equal(exec.stdout, '["hi",2]\n');

    // without NODE_TEST_CONTEXT, or the nested runner reports to ours instead of its stdout
    const { NODE_TEST_CONTEXT: _context, ...env } = process.env;
    const own = spawn(process.execPath, ["--test", "test/"], { cwd: op, stdio: "pipe", env });
    let output = "";
    own.stdout.on("data", (t: Buffer) => (output += t.toString()));
    const status = await new Promise<number | null>((resolve) => own.once("close", resolve));
    assert.equal(status, 0, output);
    assert.match(output, /# pass 2/);
  });

  test("a throw in act fails the batch with its message and place (env.abort, which the host supplies)", async () => {
    const op = join(dir, "strict");
    assert.equal((await colwasm(["new", "strict", "--dir", dir])).status, 0);
    const source = join(op, "assembly", "index.ts");
    const text = await readFile(source, "utf8");
    assert.ok(text.includes("diffs.push(diff.get(i));"), "the template changed: update this test");
    await writeFile(
      source,
      text.replace(
        "diffs.push(diff.get(i));",
        'if (diff.get(i) > 1000) throw new Error("diff over 1000");\n    diffs.push(diff.get(i));',
      ),
    );
    assert.equal((await colwasm(["build", op])).status, 0);
    const chain = ["exec", "--chain", join(op, "build", "strict.wasm"), "--schema", "(String, i64)"];
    const ok = await colwasm(chain, { input: '["a",1]\n' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, '["a",1]\n');
    const failed = await colwasm(chain, { input: '["a",1]\n["b",1001]\n' });
    assert.equal(failed.status, 1);
    assert.ok(isOneLine(failed.stderr), failed.stderr);
    assert.match(
      failed.stderr,
      /^Operator "\S*strict\.wasm" failed: act aborted: diff over 1000 \(at \S*index\.ts:\d+:\d+\)\n$/,
    );
  });

  test("build --module takes a module another toolchain built (Rust): manifest appended, examples checked", async () => {
    const op = join(dir, "rusty");
    await mkdir(op);
    const module = join(ROOT, "test", "fixtures", "toolchains", "rust_upper_unknown.wasm");
    const manifest = {
      abi: "colwasm/1",
      input: "(String, i64)",
      output: "(String, i64)",
      description: "upper-cases ASCII letters (Rust)",
      examples: [{ in: [["shout", 1]], out: [["SHOUT", 1]] }],
    };
    await writeFile(join(op, "manifest.json"), JSON.stringify(manifest));
    const built = await colwasm(["build", op, "--module", module]);
    assert.equal(built.status, 0, built.stderr);
    assert.match(built.stdout, /^built rusty -> .*rusty\.wasm \(\d+ bytes, 1 examples pass\)\n$/);
    // the manifest travels inside: exec needs no --abi/--input/--output
    const exec = await colwasm(
      ["exec", "--chain", join(op, "build", "rusty.wasm"), "--schema", "(String, i64)"],
      {
        input: '["quiet",2]\n',
      },
    );
    assert.equal(exec.status, 0, exec.stderr);
    assert.equal(exec.stdout, '["QUIET",2]\n');

    // built again from its own output with another manifest: the old section is replaced, not kept
    manifest.description = "rebuilt";
    await writeFile(join(op, "manifest.json"), JSON.stringify(manifest));
    const rebuilt = await colwasm(["build", op, "--module", join(op, "build", "rusty.wasm")]);
    assert.equal(rebuilt.status, 0, rebuilt.stderr);
    const sections = WebAssembly.Module.customSections(
      new WebAssembly.Module(await readFile(join(op, "build", "rusty.wasm"))),
      "colwasm",
    );
    assert.equal(sections.length, 1);
    assert.equal(
      (JSON.parse(new TextDecoder().decode(sections[0])) as { description: string }).description,
      "rebuilt",
    );

    manifest.examples[0].out = [["shout", 1]];
    await writeFile(join(op, "manifest.json"), JSON.stringify(manifest));
    const [wrong, missing, notWasm] = await Promise.all([
      colwasm(["build", op, "--module", module]),
      colwasm(["build", op, "--module", join(op, "nope.wasm")]),
      colwasm(["build", op, "--module", join(op, "manifest.json")]),
    ]);
    for (const failed of [wrong, missing, notWasm]) assert.ok(isOneLine(failed.stderr), failed.stderr);
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, /^Invalid operator: Example 0 of operator "rusty"/);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /Cannot read module .*nope\.wasm.*: no such file/);
    assert.equal(notWasm.status, 1);
    assert.match(notWasm.stderr, /is not a valid WebAssembly module/);
  });

  test("build fails with one line on a wrong example and on asc's first error", async () => {
    // both builds at once: asc takes seconds to start
    const wrong = join(dir, "wrong");
    const broken = join(dir, "broken");
    assert.equal((await colwasm(["new", "wrong", "--dir", dir])).status, 0);
    assert.equal((await colwasm(["new", "broken", "--dir", dir])).status, 0);
    const path = join(wrong, "manifest.json");
    const manifest = JSON.parse(await readFile(path, "utf8")) as { examples: { out: unknown[][] }[] };
    manifest.examples[0].out[0] = ["HELLO", 1];
    await writeFile(path, JSON.stringify(manifest));
    const source = join(broken, "assembly", "index.ts");
    await writeFile(source, (await readFile(source, "utf8")).replace("diffs.push(", "nope.push("));

    const [badExample, badSource] = await Promise.all([
      colwasm(["build", wrong]),
      colwasm(["build", broken]),
    ]);
    assert.equal(badExample.status, 1);
    assert.ok(isOneLine(badExample.stderr), badExample.stderr);
    assert.match(badExample.stderr, /^Invalid operator: Example 0 of operator "wrong"/);
    assert.equal(badSource.status, 1);
    assert.ok(isOneLine(badSource.stderr), badSource.stderr);
    assert.match(
      badSource.stderr,
      /^Invalid operator: Cannot compile broken: ERROR .*nope.* in .*index\.ts\(\d+,\d+\)/,
    );
  });

  test("new --lang rust scaffolds a cdylib crate named for cargo; an unknown language is a usage error", async () => {
    const created = await colwasm(["new", "my-op.v2", "--dir", dir, "--lang", "rust"]);
    assert.equal(created.status, 0, created.stderr);
    const op = join(dir, "my-op.v2");
    const cargo = await readFile(join(op, "Cargo.toml"), "utf8");
    assert.match(cargo, /^name = "my_op_v2"$/m); // cargo's names have no "." and no leading digit
    assert.match(cargo, /crate-type = \["cdylib"\]/);
    const source = await readFile(join(op, "src", "lib.rs"), "utf8");
    assert.equal(
      source,
      (await readFile(join(ROOT, "operators", "template-rust", "src", "lib.rs"), "utf8")).replaceAll(
        /\bNAME\b/g,
        "my-op.v2",
      ),
    );
    assert.equal(
      await readFile(join(op, "src", "batch.rs"), "utf8"),
      await readFile(join(ROOT, "operators", "template-rust", "src", "batch.rs"), "utf8"),
    );
    const manifest = JSON.parse(await readFile(join(op, "manifest.json"), "utf8")) as { description: string };
    assert.match(manifest.description, /^my-op\.v2:/);
    assert.match(await readFile(join(op, "README.md"), "utf8"), /release\/my_op_v2\.wasm/);
    assert.equal(await readFile(join(op, ".gitignore"), "utf8"), "build/\ntarget/\n");
    assert.match(
      created.stdout,
      /next: \(cd .* && cargo build --release --target wasm32-unknown-unknown\) && .* build .* --module .*my_op_v2\.wasm\n$/,
    );

    const unknown = await colwasm(["new", "other", "--dir", dir, "--lang", "cobol"]);
    assert.equal(unknown.status, 2);
    assert.ok(isOneLine(unknown.stderr), unknown.stderr);
  });

  test("new refuses a taken folder and a bad name", async () => {
    const taken = await colwasm(["new", "shout", "--dir", dir]);
    assert.equal(taken.status, 1);
    assert.ok(isOneLine(taken.stderr), taken.stderr);
    const bad = await colwasm(["new", "../escape", "--dir", dir]);
    assert.equal(bad.status, 2);
    assert.ok(isOneLine(bad.stderr), bad.stderr);
  });
});

describe("colwasm build's printed path", () => {
  test("is relative to where the command ran, unless it would climb out of it", () => {
    assert.equal(shownPath("/w/op", "/w/op/build/x.wasm"), "build/x.wasm");
    assert.equal(shownPath("/home/me", "/tmp/t1/op/build/x.wasm"), "/tmp/t1/op/build/x.wasm");
  });
});
