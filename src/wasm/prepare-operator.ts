// Turns a compiled module into a HostedOperator: manifest from its `colwasm` section or from
// upload headers (headers win, field by field; headers that retype it drop the section's
// examples), schemas parsed, exports checked against the ABI.
import { formatSchema, parseSchema } from "../columnar/index.ts";
import { checkBlogSchemas } from "./blog-schema.ts";
import { checkOperatorModule } from "./check-module.ts";
import { type ManifestJson, parseManifest, readManifestSection } from "./manifest.ts";
import { InvalidOperatorError } from "./operator-error.ts";
import type { HostedOperator } from "./operator-instance.ts";

/** Builds a HostedOperator; throws `InvalidOperatorError` when the module cannot be hosted. */
export function prepareOperator(
  name: string,
  module: WebAssembly.Module,
  options: { headers?: Partial<ManifestJson> } = {},
): HostedOperator {
  const section = readManifestSection(module, name);
  const base = typeof section === "object" && section !== null ? section : {};
  const overrides = Object.fromEntries(
    Object.entries(options.headers ?? {}).filter(([, v]) => v !== undefined),
  );
  if (section === undefined && Object.keys(overrides).length === 0) {
    throw new InvalidOperatorError(
      `Cannot host operator "${name}": it has no colwasm manifest section and no Operator-Abi/Operator-Input/Operator-Output headers`,
      { operator: name, rule: "manifest" },
    );
  }
  // the section's examples are rows of the section's schemas: headers that retype the module
  // (identity, say, uploaded as `(u32, i64)`) leave them out instead of failing on them
  const retyped = (["input", "output"] as const).some(
    (field) =>
      field in overrides && !sameSchemaText(overrides[field], (base as Record<string, unknown>)[field]),
  );
  const manifest = parseManifest({ ...base, ...overrides, ...(retyped ? { examples: [] } : {}) }, name);
  checkOperatorModule(module, manifest.abi, name);
  if (manifest.abi === "blog") checkBlogSchemas(name, manifest.input, manifest.output);
  return { name, module, manifest };
}

/** Whether two schema texts name the same schema (unparsable ones compare as text). */
function sameSchemaText(a: unknown, b: unknown): boolean {
  if (typeof a !== "string" || typeof b !== "string") return a === b;
  try {
    return formatSchema(parseSchema(a)) === formatSchema(parseSchema(b));
  } catch {
    return a === b;
  }
}
