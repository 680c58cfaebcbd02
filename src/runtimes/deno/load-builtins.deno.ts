// The built-in operators of the Deno entry: BUILTIN_NAMES from a directory (operators/dist), read
// once at start; validation happens in RegistryCore.create.
import { BUILTIN_NAMES } from "../../registry/builtin-names.ts";
import type { BuiltinOperator } from "../../registry/index.ts";

/** Reads `dir/NAME.wasm` for every built-in name, in the list's order (as Workers bundles them). */
export async function loadBuiltins(dir: URL): Promise<BuiltinOperator[]> {
  const names: readonly string[] = BUILTIN_NAMES;
  return Promise.all(
    names.map(async (name) => ({ name, wasm: await Deno.readFile(new URL(`${name}.wasm`, dir)) })),
  );
}
