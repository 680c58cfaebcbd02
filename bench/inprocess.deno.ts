// `node_modules/.bin/deno run -A bench/inprocess.deno.ts ROWS TIME_MS ITERATIONS`: the in-process
// colwasm tasks (memcpy, decode, the three chains) inside Deno, printed as one JSON line, so
// bench/run.ts can compare colwasm across runtimes on the same code and data.
import { builtOperator, kernelModule } from "./bench-operators.ts";
import { measureInProcess } from "./suite-harness.ts";

declare const Deno: { args: string[]; version: { deno: string; v8: string } };

const [rows, timeMs, iterations] = Deno.args.map(Number);
const sizes = await measureInProcess({
  sizes: [rows],
  operators: builtOperator,
  kernelModule: kernelModule(),
  timeMs,
  warmupMs: Math.max(20, timeMs / 4),
  iterations,
  only: ["memcpy", "decode", "colwasm:words", "colwasm:single", "colwasm:four"],
});
console.log(JSON.stringify({ runtime: "deno", version: Deno.version, sizes }));
