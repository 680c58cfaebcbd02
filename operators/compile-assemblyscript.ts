// Compiles one AssemblyScript operator entry to WASM in-process with asc: -O3, `--runtime stub`
// (the SDK's arena is the stub heap), no asserts, no source map, and SIMD enabled (Wasm 2.0;
// workerd, Deno and Node all run it) so operators can scan 16 bytes a step. The `env.abort` import
// stays: the host supplies it (src/wasm/host-imports.ts), so a `throw` fails the batch with its
// message instead of a bare `unreachable` trap.

// asc (with binaryen) takes seconds to load, so it is imported only when something is stale.
type Asc = typeof import("assemblyscript/asc").default;
let ascModule: Promise<Asc> | null = null;

/** asc flags shared by every operator; `colwasm build` should pass the same ones. */
export const ASC_FLAGS = ["-O3", "--runtime", "stub", "--noAssert", "--enable", "simd", "--noColors"];

/** asc's stock build, for test fixtures that stand for authors who do not use `colwasm build`. */
export const ASC_STOCK_FLAGS = ["-O3", "--noColors"];

/**
 * Returns the optimized binary of `entryPath` (built with `flags`), or throws an Error carrying
 * asc's diagnostics.
 */
export async function compileAssemblyScript(
  entryPath: string,
  flags: readonly string[] = ASC_FLAGS,
): Promise<Uint8Array> {
  ascModule ??= import("assemblyscript/asc").then((module) => module.default);
  const asc = await ascModule;
  let binary: Uint8Array | null = null;
  let diagnostics = "";
  const stderr = asc.createMemoryStream((chunk) => {
    diagnostics += typeof chunk === "string" ? chunk : new TextDecoder().decode(chunk);
  });
  const result = await asc.main([entryPath, ...flags, "--outFile", "operator.wasm"], {
    stderr,
    stdout: stderr,
    writeFile(filename, contents) {
      if (filename.endsWith(".wasm") && typeof contents !== "string") binary = contents;
    },
  });
  if (result.error !== null) {
    throw new Error(`Cannot compile "${entryPath}": ${result.error.message}\n${diagnostics}`);
  }
  if (binary === null) throw new Error(`Cannot compile "${entryPath}": asc wrote no binary`);
  return binary;
}
