// `colwasm push NAME module.wasm` (spec/cli.md): uploads an operator with the admin token; the
// runtime checks it (exports, schemas, manifest examples) before storing it.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { flagValue } from "../args.ts";
import { clientFromEnv, URL_FLAG } from "../client-from-env.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../usage-error.ts";
import { readManifestSection } from "../../wasm/index.ts";
import { type ManifestFlagValues, requireManifestFlags } from "../manifest-flags.ts";

/** `colwasm push NAME module.wasm [--abi A --input S --output S]` */
export const command: Command = {
  name: "push",
  usage: "colwasm push NAME module.wasm [--abi A --input S --output S] [--url U]",
  description:
    "Uploads an operator (PUT /v1/operators/NAME) with COLWASM_ADMIN_TOKEN. The manifest comes from the\n" +
    "module's colwasm section (colwasm build writes it); the flags override it.",
  flags: [
    URL_FLAG,
    { name: "abi", value: "A", description: "colwasm/1 or blog (modules without a manifest)" },
    { name: "input", value: "S", description: "input schema (modules without a manifest)" },
    { name: "output", value: "S", description: "output schema (modules without a manifest)" },
  ],
  async run(args, io) {
    const [name, file, ...extra] = args.positionals;
    if (name === undefined || file === undefined || extra.length > 0)
      throw new UsageError("Cannot push: expected NAME and module.wasm (colwasm push NAME module.wasm)");
    let wasm: Uint8Array<ArrayBuffer>;
    try {
      wasm = new Uint8Array(await readFile(resolve(io.cwd ?? ".", file)));
    } catch (error) {
      throw new UsageError(
        `Cannot read module ${JSON.stringify(file)}: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    const flags = {
      abi: flagValue(args, "abi"),
      input: flagValue(args, "input"),
      output: flagValue(args, "output"),
    };
    checkManifestOrFlags(name, file, wasm, flags);
    const client = clientFromEnv(args, io, "admin");
    const entry = await client.pushOperator(name, wasm, flags);
    io.stdout.write(
      `pushed ${entry.name}: ${entry.abi} ${entry.input} -> ${entry.output}, ${entry.size} bytes, sha256 ${entry.sha256.slice(0, 12)}\n`,
    );
  },
};

/**
 * A module without a colwasm section needs all three flags: told here in the CLI's terms (the
 * runtime would name its Operator-* headers). A module that does not compile is the runtime's to
 * judge, with its own message.
 */
function checkManifestOrFlags(
  name: string,
  file: string,
  wasm: Uint8Array<ArrayBuffer>,
  flags: ManifestFlagValues,
): void {
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(wasm);
  } catch {
    return;
  }
  let hasSection: boolean;
  try {
    hasSection = readManifestSection(module, name) !== undefined;
  } catch {
    return; // a malformed section: the runtime's invalid-operator answer says what is wrong
  }
  if (!hasSection) requireManifestFlags(flags, `Cannot push ${JSON.stringify(name)}`, file, name);
}
