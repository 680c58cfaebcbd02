// Stages of a chain (spec/http-api.md §Running a chain): `name` runs an operator, `reduce:NAME`
// folds diffs into keyed state.
import { ColwasmError } from "../error.ts";

/** One stage as written in `?chain=`. */
export type Stage =
  | { readonly kind: "operator"; readonly name: string }
  | { readonly kind: "reduce"; readonly namespace: string };

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
/** What NAME allows, for the messages of names it refuses. */
const NAME_RULE = "1-64 letters, digits, _ . or -, not starting with . or -";

/** True when `name` is a valid operator or state namespace name. */
export function isValidName(name: string): boolean {
  return NAME.test(name);
}

/**
 * Parses `a,b,reduce:wc`; an empty text is the empty chain. `allowPaths` lets the CLI name `.wasm`
 * files as stages.
 */
export function parseChain(
  text: string,
  options: { maxStages?: number; allowPaths?: boolean } = {},
): Stage[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  const stages = trimmed.split(",").map((raw, index): Stage => {
    const token = raw.trim();
    if (token.startsWith("reduce:")) {
      const namespace = token.slice("reduce:".length);
      if (!isValidName(namespace)) {
        throw new ColwasmError(
          "bad-request",
          `Cannot parse chain stage ${index}: ${JSON.stringify(token)} is not reduce:NAME (NAME: ${NAME_RULE})`,
          { stage: index },
        );
      }
      return { kind: "reduce", namespace };
    }
    const isPath = options.allowPaths === true && token.endsWith(".wasm");
    if (!isPath && !isValidName(token)) {
      throw new ColwasmError(
        "bad-request",
        `Cannot parse chain stage ${index}: ${JSON.stringify(token)} is not an operator name (${NAME_RULE})`,
        { stage: index },
      );
    }
    return { kind: "operator", name: token };
  });
  if (options.maxStages !== undefined && stages.length > options.maxStages) {
    throw new ColwasmError(
      "bad-request",
      `Cannot run the chain: ${stages.length} stages, the limit is ${options.maxStages}`,
    );
  }
  return stages;
}

/** The chain as text again (`a,b,reduce:wc`). */
export function formatChain(stages: readonly Stage[]): string {
  return stages.map((s) => (s.kind === "reduce" ? `reduce:${s.namespace}` : s.name)).join(",");
}
