// readSections' header check: bytes that are not WebAssembly fail with the words capModuleLimits
// uses and no offset (they said "no \0asm header at byte 8", the reader's position after the
// header, on the Workers entry, which walks sections first); a wrong version or a header cut
// short names byte 4, where the version starts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { capModuleLimits, DEFAULT_OPERATOR_LIMITS, InvalidOperatorError } from "../../src/wasm/index.ts";
import { readSections } from "../../src/wasm/wasm-sections.ts";

const NOT_WASM = "Cannot read the module: it is not WebAssembly (no \\0asm header)";

/** The message of the InvalidOperatorError (rule "not-wasm") that `fn` throws. */
function notWasmMessage(fn: () => unknown): string {
  let message = "";
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InvalidOperatorError, `expected InvalidOperatorError, got ${String(error)}`);
    assert.equal(error.fields.rule, "not-wasm");
    message = error.message;
    return true;
  });
  return message;
}

describe("readSections() header check", () => {
  it("bytes that are not WebAssembly: the capModuleLimits message, no byte offset", () => {
    const inputs = [
      new TextEncoder().encode("not wasm at all"),
      new TextEncoder().encode("hello, world"),
      new Uint8Array(),
      Uint8Array.of(0, 0x61, 0x73),
      Uint8Array.of(0, 0x61, 0x73, 0x6e, 1, 0, 0, 0),
    ];
    for (const bytes of inputs) {
      const message = notWasmMessage(() => readSections(bytes));
      assert.equal(message, NOT_WASM);
      assert.doesNotMatch(message, /at byte/);
    }
  });

  it("says what capModuleLimits says for the same bytes (the check each runtime may meet first)", () => {
    const bytes = new TextEncoder().encode("not wasm at all");
    assert.equal(
      notWasmMessage(() => readSections(bytes)),
      notWasmMessage(() => capModuleLimits(bytes, DEFAULT_OPERATOR_LIMITS.maxMemoryPages)),
    );
  });

  it("a header of another version, or cut short after \\0asm, names byte 4", () => {
    assert.equal(
      notWasmMessage(() => readSections(Uint8Array.of(0, 0x61, 0x73, 0x6d, 2, 0, 0, 0))),
      "Cannot read the module: not version 1 at byte 4",
    );
    assert.match(
      notWasmMessage(() => readSections(Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0))),
      /^Cannot read the module: 4 bytes run past the end at byte 4$/,
    );
  });

  it("an empty module (header only) has no sections; a section after it is read", () => {
    assert.deepEqual(readSections(Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0)), []);
    const sections = readSections(Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 1, 0));
    assert.deepEqual(
      sections.map((s) => [s.id, [...s.raw]]),
      [[1, [1, 1, 0]]],
    );
  });
});
