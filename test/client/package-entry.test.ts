// The package entries README imports (`colwasm/client`, `colwasm/columnar`) resolve under plain
// Node from the set-up's build (package.json exports -> dist/), as a user's program would.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

describe("package entries", () => {
  it("colwasm/client and colwasm/columnar import under Node without a TypeScript loader", () => {
    const program = `
      const { ColwasmClient, encodeBatch } = await import("colwasm/client");
      const { parseSchema, formatSchema } = await import("colwasm/columnar");
      const batch = encodeBatch("(String, i64)", [["Hello World", 1]]);
      console.log(typeof ColwasmClient, batch.bytes.byteLength > 0, formatSchema(parseSchema("(String,i64)")));`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", program], {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout.trim(), "function true (String, i64)");
  });
});
