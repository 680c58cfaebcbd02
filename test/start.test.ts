// `npm start`'s main job on real workerd: serves, runs the demo chain, stops (`--once`).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

describe("npm start", () => {
  it("serves the Workers runtime and prints the demo chain's rows and timing", { timeout: 120_000 }, () => {
    const result = spawnSync(
      process.execPath,
      ["--import", "tsx", "scripts/start.ts", "--once", "--port", "0"],
      {
        cwd: ROOT,
        timeout: 110_000,
        encoding: "utf8",
      },
    );
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /split_words,lowercase\n {2}\["the",1\]\n {2}\["quick",1\]/);
    assert.match(result.stdout, /timing: decode [\d.]+ ms, split_words [\d.]+ ms, lowercase [\d.]+ ms/);
  });
});
