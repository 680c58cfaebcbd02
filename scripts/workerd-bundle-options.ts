// The esbuild options every bundle that runs in workerd shares (the Worker, the runner isolate's
// library, the bench worker): ESM, no Node platform shims, workerd's export conditions.
import type { BuildOptions } from "esbuild";

/** Base options; callers add entry, output, externals, loaders and log level. */
export const WORKERD_BUNDLE_OPTIONS = {
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  mainFields: ["module", "main"],
  conditions: ["workerd", "worker", "browser"],
} as const satisfies BuildOptions;
