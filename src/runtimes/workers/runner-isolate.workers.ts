// Loads a runner isolate for a list of prepared (memory-capped, fuel-metered) modules through the
// Worker Loader, with no network access (`globalOutbound: null`): a run isolate per distinct module
// list, cached by workerd under a hash of their sha256s; a validation isolate per upload, uncached.
import RUNNER_SOURCE from "../../../dist/worker-assets/runner.src.js";
import KERNEL_BYTES from "../../../dist/worker-assets/validate-kernels.bin";
import { sha256Hex } from "../../registry/index.ts";
import type { WorkerCode, WorkerLoader, WorkerModule } from "./bindings.workers.ts";

/** Compatibility date of the dynamic isolates; same as wrangler.toml. */
export const COMPATIBILITY_DATE = "2026-04-01";

/** A module for the runner: its content hash and a way to get its prepared bytes. */
export interface RunnerModule {
  readonly sha256: string;
  bytes(): Promise<ArrayBuffer>;
}

/**
 * The fetch entrypoint of an isolate that holds `modules` (as `op0.wasm`, `op1.wasm`, ...). A
 * "run" isolate is cached by the loader (`get`), warm for the next batch of the same modules (a
 * stub is bound to the request that made it, so the cache cannot live here); a "validate" one
 * serves one upload and is loaded uncached (`load`), so workerd frees it afterwards: cached, every
 * distinct upload kept ~6 MB of isolate alive for good.
 */
export async function runnerIsolate(
  loader: WorkerLoader,
  kind: "run" | "validate",
  modules: readonly RunnerModule[],
) {
  const code = async (): Promise<WorkerCode> => {
    // validate.wasm: the kernels that validate each operator's output in its own memory
    const files: Record<string, WorkerModule> = {
      "runner.js": RUNNER_SOURCE,
      "validate.wasm": { wasm: KERNEL_BYTES },
    };
    for (const [k, m] of modules.entries()) files[`op${k}.wasm`] = { wasm: await m.bytes() };
    return {
      compatibilityDate: COMPATIBILITY_DATE,
      mainModule: "main.js",
      modules: { "main.js": mainSource(modules.length), ...files },
      globalOutbound: null,
    };
  };
  if (kind === "validate") return loader.load(await code()).getEntrypoint();
  const id = `${kind}:${await sha256Hex(new TextEncoder().encode(modules.map((m) => m.sha256).join(",")))}`;
  return loader.get(id, code).getEntrypoint();
}

/** The generated main module: static imports of every operator module. */
function mainSource(count: number): string {
  const names = Array.from({ length: count }, (_, k) => `m${k}`);
  const imports = names.map((n, k) => `import ${n} from "./op${k}.wasm";`).join("\n");
  return `import { serveRunner } from "./runner.js";\nimport kernels from "./validate.wasm";\n${imports}\nexport default serveRunner([${names.join(", ")}], kernels);\n`;
}
