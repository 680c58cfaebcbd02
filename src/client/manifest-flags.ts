// `--abi`, `--input` and `--output`: the manifest of a .wasm module without a colwasm section, as
// `colwasm exec` and `colwasm push` take it on the command line (spec/cli.md).
import type { ManifestJson } from "../wasm/index.ts";
import { UsageError } from "./usage-error.ts";

/** The manifest fields the flags give, checked (exec prepares the module itself). */
export type ManifestFlags = Partial<Pick<ManifestJson, "abi" | "input" | "output">>;

const FLAGS = ["abi", "input", "output"] as const;

/** The flags' values as typed (push leaves checking them to the runtime). */
export type ManifestFlagValues = Readonly<Partial<Record<(typeof FLAGS)[number], string>>>;

/** The flags given, as `--abi`, `--input`, … */
export function givenFlags(flags: ManifestFlagValues): string[] {
  return FLAGS.filter((f) => flags[f] !== undefined).map((f) => `--${f}`);
}

/**
 * Throws the usage error of a module without a colwasm section that lacks some of the flags:
 * `${doing}: ${module} has no colwasm manifest section, so give its --input, …`.
 */
export function requireManifestFlags(
  flags: ManifestFlagValues,
  doing: string,
  module: string,
  operator: string,
): void {
  const missing = FLAGS.filter((f) => flags[f] === undefined);
  if (missing.length === 0) return;
  throw new UsageError(
    `${doing}: ${module} has no colwasm manifest section, so give its ${missing.map((f) => `--${f}`).join(", ")} (or build it with colwasm build, which adds the section)`,
    { type: "invalid-operator", fields: { operator } },
  );
}
