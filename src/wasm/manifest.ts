// Operator manifests (spec/operator-abi.md §Manifest): the `colwasm` custom section or upload
// headers, validated with zod, schemas parsed once here.
import { z } from "zod";
import { parseSchema, type Schema, SchemaError } from "../columnar/index.ts";
import { InvalidOperatorError } from "./operator-error.ts";

/** The two ABIs of spec/operator-abi.md. */
export type OperatorAbi = "colwasm/1" | "blog";

/** A manifest after validation: schemas are data. */
export interface OperatorManifest {
  readonly abi: OperatorAbi;
  readonly input: Schema;
  readonly output: Schema;
  readonly description?: string;
  readonly examples: readonly { readonly in: unknown[]; readonly out: unknown[] }[];
}

/** The manifest as JSON text fields (section or headers), before schema parsing. */
export const manifestJsonSchema = z.object({
  abi: z.enum(["colwasm/1", "blog"]),
  input: z.string().min(1),
  output: z.string().min(1),
  description: z.string().max(2000).optional(),
  examples: z
    .array(z.object({ in: z.array(z.unknown()), out: z.array(z.unknown()) }))
    .max(100)
    .default([]),
});

/** Raw manifest fields as found in a section or headers. */
export type ManifestJson = z.input<typeof manifestJsonSchema>;

/** Validates manifest JSON and parses its schemas; throws `InvalidOperatorError` naming the problem. */
export function parseManifest(json: unknown, operator?: string): OperatorManifest {
  const parsed = manifestJsonSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((i) => `${i.path.join(".") || "manifest"}: ${i.message}`)
      .join("; ");
    throw new InvalidOperatorError(`Cannot read the operator manifest: ${issues}`, {
      operator,
      rule: "manifest",
    });
  }
  const m = parsed.data;
  const schemaOf = (field: "input" | "output") => {
    try {
      return parseSchema(m[field]);
    } catch (error) {
      if (!(error instanceof SchemaError)) throw error;
      throw new InvalidOperatorError(
        `Cannot read the manifest's ${field} schema: ${error.message}`,
        { operator, rule: "manifest" },
        { cause: error },
      );
    }
  };
  return {
    abi: m.abi,
    input: schemaOf("input"),
    output: schemaOf("output"),
    description: m.description,
    examples: m.examples,
  };
}

/** The JSON of a module's `colwasm` custom section, or undefined when it has none. */
export function readManifestSection(module: WebAssembly.Module, operator?: string): unknown {
  const sections = WebAssembly.Module.customSections(module, "colwasm");
  if (sections.length === 0) return undefined;
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(sections[sections.length - 1]));
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    throw new InvalidOperatorError(
      `Cannot read the colwasm custom section: ${error.message}`,
      { operator, rule: "manifest" },
      { cause: error },
    );
  }
}
