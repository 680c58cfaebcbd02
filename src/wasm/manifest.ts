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

/**
 * Limits of `examples`: a row of the deepest schema (32 levels) nests far less than
 * MAX_EXAMPLE_DEPTH arrays and objects, and the examples are a self-test, stored with the entry
 * (workerd's SQLite holds a value of ~2 MB) and posted to sandbox threads (structured clone
 * recurses per level), so neither may be unbounded.
 */
export const EXAMPLE_LIMITS = { maxDepth: 64, maxJsonBytes: 1 << 20 } as const;

/** The nesting depth of a JSON value, walked without recursion (a hostile one nests 10^5 deep). */
function jsonDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v !== "object" || v === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > EXAMPLE_LIMITS.maxDepth) return deepest;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
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
    .default([])
    .superRefine((examples, ctx) => {
      // depth first: JSON.stringify itself recurses per level
      if (jsonDepth(examples) > EXAMPLE_LIMITS.maxDepth) {
        ctx.addIssue({ code: "custom", message: `nest deeper than ${EXAMPLE_LIMITS.maxDepth} levels` });
      } else if (JSON.stringify(examples).length > EXAMPLE_LIMITS.maxJsonBytes) {
        ctx.addIssue({
          code: "custom",
          message: `hold more than ${EXAMPLE_LIMITS.maxJsonBytes} bytes of JSON`,
        });
      }
    }),
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
