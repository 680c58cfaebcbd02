// `colwasm new NAME [--dir D] [--lang L]` (spec/cli.md): scaffolds an operator: AssemblyScript
// from operators/template (source, manifest with examples, an example test and a README), or Rust
// from operators/template-rust (a cdylib crate, the manifest and a README).
import { resolve } from "node:path";
import { flagValue } from "../args.ts";
import type { Command } from "../command.ts";
import {
  colwasmCommand,
  crateName,
  scaffoldOperator,
  TEMPLATES,
  type TemplateLanguage,
} from "../scaffold-operator.ts";
import { UsageError } from "../usage-error.ts";

/** `colwasm new NAME [--dir D] [--lang assemblyscript|rust]` */
export const command: Command = {
  name: "new",
  usage: "colwasm new NAME [--dir D] [--lang assemblyscript|rust]",
  description:
    "Scaffolds a colwasm/1 operator in D/NAME (default ./NAME). AssemblyScript (the default): assembly/index.ts,\n" +
    "manifest.json with examples, test/examples.test.mjs and a README; then colwasm build D/NAME. Rust: a cdylib\n" +
    "crate (Cargo.toml, src/lib.rs), manifest.json and a README; then cargo build and colwasm build --module.",
  flags: [
    { name: "dir", value: "D", description: "parent folder of the new operator (default .)" },
    { name: "lang", value: "L", description: "assemblyscript (default) or rust" },
  ],
  async run(args, io) {
    const [name, ...extra] = args.positionals;
    if (name === undefined || extra.length > 0)
      throw new UsageError("Cannot scaffold: expected one NAME (colwasm new NAME)");
    const lang = flagValue(args, "lang") ?? "assemblyscript";
    if (!Object.hasOwn(TEMPLATES, lang))
      throw new UsageError(
        `Cannot read flag "--lang": expected assemblyscript or rust, found ${JSON.stringify(lang)}`,
      );
    const language = lang as TemplateLanguage;
    const dir = resolve(io.cwd ?? ".", flagValue(args, "dir") ?? ".", name);
    const files = scaffoldOperator(name, dir, language);
    // the next step as a command that works from here (npx finds colwasm only inside the clone)
    const colwasm = colwasmCommand(io.cwd ?? process.cwd());
    const next =
      language === "rust"
        ? `(cd ${dir} && cargo build --release --target wasm32-unknown-unknown) && ${colwasm} build ${dir} --module ${dir}/target/wasm32-unknown-unknown/release/${crateName(name)}.wasm`
        : `${colwasm} build ${dir}`;
    io.stdout.write(`created ${dir}\n${files.map((f) => `  ${f}\n`).join("")}next: ${next}\n`);
  },
};
