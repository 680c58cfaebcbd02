// `colwasm build [DIR]` (spec/cli.md): builds an operator folder to DIR/build/NAME.wasm with its
// manifest section, after checking the manifest's examples against the module.
import { existsSync } from "node:fs";
import { relative, resolve } from "node:path";
import { flagValue } from "../args.ts";
import type { Command } from "../command.ts";
import { buildOperator } from "../build-operator.ts";
import { UsageError } from "../usage-error.ts";

/** `colwasm build [DIR] [--module FILE.wasm]` */
export const command: Command = {
  name: "build",
  usage: "colwasm build [DIR] [--module FILE.wasm]",
  description:
    "Compiles DIR/assembly/index.ts (default DIR: .) with asc (-O3 --runtime stub --noAssert --enable simd),\n" +
    "appends manifest.json as the colwasm section, runs its examples, writes DIR/build/NAME.wasm (NAME: DIR's name).\n" +
    "With --module, a module built by another toolchain (C, Rust, …) takes the place of compiling.",
  flags: [
    {
      name: "module",
      value: "FILE.wasm",
      description: "a module built elsewhere: DIR needs only manifest.json",
    },
  ],
  async run(args, io) {
    const [dirArg, ...extra] = args.positionals;
    if (extra.length > 0) throw new UsageError("Cannot build: expected at most one DIR");
    const cwd = io.cwd ?? ".";
    const dir = resolve(cwd, dirArg ?? ".");
    if (!existsSync(dir))
      throw new UsageError(`Cannot build ${JSON.stringify(dirArg ?? ".")}: no such folder`, {
        type: "invalid-operator",
      });
    const moduleArg = flagValue(args, "module");
    const module = moduleArg === undefined ? undefined : resolve(cwd, moduleArg);
    if (module !== undefined && !existsSync(module))
      throw new UsageError(`Cannot read module ${JSON.stringify(moduleArg)}: no such file`);
    const built = await buildOperator(dir, { module });
    const shown = shownPath(cwd, built.wasmPath);
    io.stdout.write(
      `built ${built.name} -> ${shown} (${built.byteLength} bytes, ${built.exampleCount} examples pass)\n`,
    );
  },
};

/** `path` relative to `cwd`, unless that climbs out of it: then the full path reads better. */
export function shownPath(cwd: string, path: string): string {
  const near = relative(cwd, path);
  return near === "" || near.startsWith("..") ? path : near;
}
