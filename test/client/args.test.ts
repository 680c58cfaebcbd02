// parseArgs() of the CLI: both flag spellings, boolean flags, --help anywhere, and UsageError cases.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type FlagSpec, parseArgs, requireFlag } from "../../src/client/args.ts";
import { UsageError } from "../../src/client/usage-error.ts";

const FLAGS: FlagSpec[] = [
  { name: "schema", value: "S", description: "schema" },
  { name: "binary", description: "boolean" },
];

const isUsageError = (e: unknown): boolean => e instanceof UsageError && e.type === "bad-request";

describe("parseArgs()", () => {
  it("parseArgs() reads --flag value and --flag=value", () => {
    assert.equal(parseArgs(["--schema", "(u8, i8)"], FLAGS).flags.get("schema"), "(u8, i8)");
    assert.equal(parseArgs(["--schema=a=b"], FLAGS).flags.get("schema"), "a=b");
    assert.equal(parseArgs(["--schema="], FLAGS).flags.get("schema"), "");
  });

  it("parseArgs() reads boolean flags and positionals, and -- ends flags", () => {
    const args = parseArgs(["x", "--binary", "y", "--", "--schema"], FLAGS);
    assert.equal(args.flags.get("binary"), true);
    assert.deepEqual(args.positionals, ["x", "y", "--schema"]);
  });

  it("parseArgs() notices --help anywhere", () => {
    assert.equal(parseArgs(["--schema", "u8", "--help"], FLAGS).isHelp, true);
    assert.equal(parseArgs(["-h"], FLAGS).isHelp, true);
    assert.equal(parseArgs([], FLAGS).isHelp, false);
  });

  it("parseArgs() rejects unknown, repeated and value-less flags", () => {
    assert.throws(() => parseArgs(["--nope"], FLAGS), isUsageError);
    assert.throws(() => parseArgs(["--schema", "a", "--schema=b"], FLAGS), isUsageError);
    assert.throws(() => parseArgs(["--schema"], FLAGS), isUsageError);
    assert.throws(() => parseArgs(["--schema", "--binary"], FLAGS), isUsageError);
    assert.throws(() => parseArgs(["--binary=1"], FLAGS), isUsageError);
  });

  it("requireFlag() rejects a missing flag", () => {
    assert.throws(() => requireFlag(parseArgs([], FLAGS), "schema"), isUsageError);
  });
});
