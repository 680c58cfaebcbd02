// `npm start`: the main job. Serves the Workers runtime locally (workerd through Miniflare, state
// persisted under .state/workers), runs the demo through it with the typed client, then keeps
// serving with the URL and admin token printed. `--once` stops after the demo (used by tests).
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { columnToRows } from "../src/columnar/index.ts";
import { ColwasmClient, ColwasmClientError, encodeRows, type RunResult } from "../src/client/index.ts";
import { loadDevVars } from "../src/runtimes/dev-vars.node.ts";
import { onStopSignal, startRuntime } from "../src/runtimes/start-runtime.node.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const once = process.argv.includes("--once");
const portArg = process.argv.indexOf("--port");
const port = portArg > 0 ? Number(process.argv[portArg + 1]) : Number(process.env.PORT ?? 8787);
const runtime = process.argv.includes("--deno") ? "deno" : "workers";

const LINES = [
  ["The quick brown fox jumps over the lazy dog", 1],
  ["the dog barks", 1],
  ["  Colwasm runs WebAssembly over COLUMNS  ", 1],
];

function show(title: string, result: RunResult): void {
  console.log(`\n${title}`);
  for (const row of columnToRows(result.batch.schema, result.batch.column))
    console.log(`  ${JSON.stringify(row)}`);
  const stages = result.timings.map((t) => `${t.name} ${t.durationMs.toFixed(3)} ms`).join(", ");
  console.log(`  timing: ${stages}; bytes copied between stages: ${result.copiedBytes}`);
  if (
    runtime === "workers" &&
    result.timings.every((t) => t.durationMs === 0 || t.name.startsWith("reduce"))
  ) {
    console.log("  (workerd stops its clocks while a request computes, so CPU-only stages read 0 ms)");
  }
}

const vars = loadDevVars(join(ROOT, ".dev.vars"));
const server = await startRuntime({ runtime, port, stateDir: join(ROOT, ".state", runtime), vars }).catch(
  (error: unknown) => {
    // one line, not a stack trace: the usual cause is a runtime already serving on the port
    const text = error instanceof Error ? error.message : String(error);
    const inUse =
      (error as { code?: unknown } | undefined)?.code === "EADDRINUSE" || /EADDRINUSE|in use/i.test(text);
    console.error(
      inUse
        ? `npm start: cannot listen on 127.0.0.1:${port}: the address is in use (another colwasm? stop it, or choose a port: npm start -- --port N)`
        : `npm start: cannot start the ${runtime} runtime: ${text.split("\n")[0]}`,
    );
    process.exit(1);
  },
);
// from here on, Ctrl-C (or SIGTERM) stops the runtime in order, during the demo too
onStopSignal(() => void server.stop().then(() => process.exit(0)));
const client = new ColwasmClient(server.url, { token: vars.COLWASM_ADMIN_TOKEN });
try {
  const batch = encodeRows("(String, i64)", LINES);
  console.log(`colwasm (${runtime}) at ${server.url}: demo over ${LINES.length} lines of text`);
  show("split_words,lowercase", await client.run("split_words,lowercase", batch));
  const key = `demo-${Date.now()}`;
  // The demo starts wordcount from zero so the second run shows the totals doubled.
  await fetch(`${server.url}/v1/state/wordcount`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${vars.COLWASM_ADMIN_TOKEN}` },
  });
  try {
    show(
      "split_words,lowercase,reduce:wordcount (1st time)",
      await client.run("split_words,lowercase,reduce:wordcount", batch, { idempotencyKey: `${key}-1` }),
    );
    show(
      "split_words,lowercase,reduce:wordcount (2nd time: totals grow)",
      await client.run("split_words,lowercase,reduce:wordcount", batch, { idempotencyKey: `${key}-2` }),
    );
    const totals = await client.state("wordcount");
    console.log(
      `\nGET /v1/state/wordcount: ${totals.length} keys, e.g. ${totals
        .slice(0, 5)
        .map((r) => JSON.stringify(r))
        .join(" ")}`,
    );
  } catch (error) {
    if (!(error instanceof ColwasmClientError)) throw error;
    console.log(`\nreduce: not available on this runtime yet (${error.message})`);
  }
} catch (error) {
  await server.stop();
  throw error;
}

if (once) {
  await server.stop();
} else {
  console.log(
    `\nServing ${server.url} (admin token in .dev.vars: ${vars.COLWASM_ADMIN_TOKEN}). Ctrl-C stops.`,
  );
}
