// Compiles a WAT text module to a binary with the `wabt` npm package (no native toolchain needed).

import { readFile } from "node:fs/promises";

type Wabt = Awaited<ReturnType<typeof import("wabt")>>;
let wabtModule: Promise<Wabt> | null = null;

/** Returns the binary of the WAT file at `watPath`; throws with wabt's message on a syntax error. */
export async function compileWat(watPath: string): Promise<Uint8Array> {
  wabtModule ??= import("wabt").then((module) => module.default());
  const wabt = await wabtModule;
  const module = wabt.parseWat(watPath, await readFile(watPath, "utf8"));
  try {
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}
