// The built-in operators of the Deno entry: every `*.wasm` of a directory (operators/dist), read
// once at start; names come from file names and validation happens in RegistryCore.create.
import type { BuiltinOperator } from "../../registry/index.ts";

/** Reads `dir/*.wasm` as built-ins, sorted by name. */
export async function loadBuiltins(dir: URL): Promise<BuiltinOperator[]> {
  const names: string[] = [];
  for await (const item of Deno.readDir(dir)) {
    if (item.isFile && item.name.endsWith(".wasm")) names.push(item.name.slice(0, -".wasm".length));
  }
  names.sort();
  return Promise.all(
    names.map(async (name) => ({ name, wasm: await Deno.readFile(new URL(`${name}.wasm`, dir)) })),
  );
}
