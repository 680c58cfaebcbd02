// `colwasm new`: copies a template into a new folder, naming the operator. AssemblyScript
// (operators/template): the SDK import points at this checkout's operators/sdk/assembly by a
// relative path (so asc resolves it from wherever the folder is created), the example test and
// README at this checkout's CLI. Rust (operators/template-rust): a cdylib crate, built by cargo.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { ColwasmError } from "../error.ts";
import { UsageError } from "./usage-error.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The languages `colwasm new` scaffolds, and their templates. */
export const TEMPLATES = {
  assemblyscript: join(ROOT, "operators", "template"),
  rust: join(ROOT, "operators", "template-rust"),
} as const;
export type TemplateLanguage = keyof typeof TEMPLATES;
const SDK_DIR = join(ROOT, "operators", "sdk", "assembly");
const COLWASM_BIN = join(ROOT, "bin", "colwasm.mjs");
/** Operator names the runtime accepts (src/chain/stage.ts), here also a folder name. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
/**
 * How to run this checkout's CLI from `folder`: `npx colwasm` inside the clone (its package.json
 * names the bin), else the bin's path: outside, npx would look for a package named colwasm in the
 * npm registry instead.
 */
export function colwasmCommand(folder: string): string {
  const path = relative(ROOT, folder);
  const isInClone = path === "" || (!path.startsWith("..") && !isAbsolute(path));
  return isInClone ? "npx colwasm" : `node ${COLWASM_BIN.split(sep).join("/")}`;
}

/** The template's own SDK import, valid inside operators/template/assembly. */
const TEMPLATE_SDK_IMPORT = '"../../sdk/assembly"';

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)));
}

/**
 * The cargo package name for operator `name`: cargo allows letters, digits, `-` and `_`, not a
 * leading digit; `-` becomes `_` so the built file is `CRATE.wasm` whatever cargo does with it.
 */
export function crateName(name: string): string {
  const crate = name.replaceAll(/[.-]/g, "_");
  return /^[0-9]/.test(crate) ? `op_${crate}` : crate;
}

/** Writes the scaffold of operator `name` into `dir` (which must not exist or be empty); returns its files. */
export function scaffoldOperator(
  name: string,
  dir: string,
  language: TemplateLanguage = "assemblyscript",
): string[] {
  if (!NAME.test(name) || name.includes(".."))
    throw new UsageError(
      `Cannot scaffold operator ${JSON.stringify(name)}: a name is 1-64 of A-Z a-z 0-9 _ . - (not starting with . or -)`,
    );
  if (existsSync(dir) && readdirSync(dir).length > 0)
    throw new ColwasmError(
      "conflict",
      `Cannot scaffold into ${JSON.stringify(dir)}: the folder exists and is not empty`,
    );
  const sdkImport = JSON.stringify(relative(join(dir, "assembly"), SDK_DIR).split(sep).join("/"));
  const template = TEMPLATES[language];
  const files = listFiles(template);
  for (const file of files) {
    let text = readFileSync(join(template, file), "utf8")
      .replaceAll(/\bNAME\b/g, name)
      .replaceAll(/\bCRATE\b/g, crateName(name));
    if (file === join("assembly", "index.ts")) text = text.replaceAll(TEMPLATE_SDK_IMPORT, sdkImport);
    text = text.replaceAll("__COLWASM_BIN__", COLWASM_BIN.split(sep).join("/"));
    if (file === "README.md") text = text.replaceAll("npx colwasm ", `${colwasmCommand(dir)} `);
    const out = join(dir, file);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, text);
  }
  writeFileSync(join(dir, ".gitignore"), language === "rust" ? "build/\ntarget/\n" : "build/\n");
  return [...files, ".gitignore"];
}
