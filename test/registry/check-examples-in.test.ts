// checkExamplesIn(): upload examples run through an executor, so a ThreadExecutor deadline stops
// an example that never returns instead of hanging the runtime.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { InlineExecutor } from "../../src/chain/index.ts";
import { ThreadExecutor } from "../../src/chain/index.ts";
import { nodeSandbox, TSX_PRELOAD } from "../../src/chain/node-sandbox.node.ts";
import { checkExamplesIn, MemoryOperatorStore, RegistryCore } from "../../src/registry/index.ts";
import { InvalidOperatorError } from "../../src/wasm/index.ts";
import { withManifest } from "../support/wasm-sections.ts";
import { fixtureWasm, operatorWasm } from "../http/app-fixture.ts";

const limits = { deadlineMs: 300, maxMemoryPages: 256, maxOutputBytes: 1 << 20 };
const thread = new ThreadExecutor(limits, { spawn: nodeSandbox({ preload: TSX_PRELOAD }) });
after(() => thread.close());

const registryWith = (checkExamples: ReturnType<typeof checkExamplesIn>) =>
  RegistryCore.create({
    store: new MemoryOperatorStore(),
    compile: (b) => WebAssembly.compile(b.slice()),
    limits: { maxModuleBytes: 1 << 20, operator: limits },
    checkExamples,
  });

test("checkExamplesIn() rejects an example that runs past the deadline as invalid-operator", async () => {
  const registry = await registryWith(checkExamplesIn(thread));
  const spin = withManifest(fixtureWasm("infinite_loop"), {
    abi: "colwasm/1",
    input: "(String, i64)",
    output: "(String, i64)",
    examples: [{ in: [["a", 1]], out: [["a", 1]] }],
  });
  await assert.rejects(
    registry.put("spin", spin, {}),
    (e) => e instanceof InvalidOperatorError && e.fields.rule === "example",
  );
});

test("checkExamplesIn() accepts a module whose examples pass", async () => {
  const registry = await registryWith(checkExamplesIn(new InlineExecutor(limits)));
  const entry = await registry.put("split", operatorWasm("split_words"), {});
  assert.equal(entry.name, "split");
});
