// `colwasm new NAME [--dir D]` (spec/cli.md): scaffolds an AssemblyScript operator from
// operators/template: source, manifest with examples, an example test and a README.
import { resolve } from "node:path";
import { flagValue } from "../args.ts";
import type { Command } from "../command.ts";
import { colwasmCommand, scaffoldOperator } from "../scaffold-operator.ts";
import { UsageError } from "../usage-error.ts";

/** `colwasm new NAME [--dir D]` */
export const command: Command = {
  name: "new",
  usage: "colwasm new NAME [--dir D]",
  description:
    "Scaffolds an AssemblyScript colwasm/1 operator in D/NAME (default ./NAME): assembly/index.ts,\n" +
    "manifest.json with examples, test/examples.test.mjs and a README. Then: colwasm build D/NAME.",
  flags: [{ name: "dir", value: "D", description: "parent folder of the new operator (default .)" }],
  async run(args, io) {
    const [name, ...extra] = args.positionals;
    if (name === undefined || extra.length > 0)
      throw new UsageError("Cannot scaffold: expected one NAME (colwasm new NAME)");
    const dir = resolve(io.cwd ?? ".", flagValue(args, "dir") ?? ".", name);
    const files = scaffoldOperator(name, dir);
    // the next step as a command that works from here (npx finds colwasm only inside the clone)
    const next = `${colwasmCommand(io.cwd ?? process.cwd())} build ${dir}`;
    io.stdout.write(`created ${dir}\n${files.map((f) => `  ${f}\n`).join("")}next: ${next}\n`);
  },
};
