// Planning: resolve every stage and type-check hop by hop before anything runs (spec/http-api.md).
import { formatSchema, isLayoutEquivalent, type Schema } from "../columnar/index.ts";
import type { HostedOperator, OperatorManifest } from "../wasm/index.ts";
import { ChainTypeError } from "./chain-type-error.ts";
import { reduceKeyType, reduceOutputSchema } from "./reduce-schema.ts";
import type { Stage } from "./stage.ts";

/** What planning needs of an operator: its name and manifest (no compiled module). */
export interface OperatorDescriptor {
  readonly name: string;
  readonly manifest: OperatorManifest;
}

/** Finds operators by name; throws `unknown-operator` when there is none. */
export interface OperatorResolver<Op extends OperatorDescriptor = HostedOperator> {
  resolve(name: string): Promise<Op>;
}

/** A planned stage: what runs, and the schemas on either side. */
export type PlannedStage<Op extends OperatorDescriptor = HostedOperator> =
  | {
      readonly kind: "operator";
      readonly name: string;
      readonly operator: Op;
      readonly input: Schema;
      readonly output: Schema;
    }
  | {
      readonly kind: "reduce";
      readonly name: string;
      readonly namespace: string;
      readonly key: Schema;
      readonly input: Schema;
      readonly output: Schema;
    };

/** A type-checked chain. */
export interface ChainPlan<Op extends OperatorDescriptor = HostedOperator> {
  readonly input: Schema;
  readonly output: Schema;
  readonly stages: readonly PlannedStage<Op>[];
}

/** `expected`: a schema, or the text of a family of them (a reduce's `(K, i64)`) with a gloss. */
function mismatch(
  index: number,
  name: string,
  expected: Schema | { readonly text: string; readonly gloss: string },
  actual: Schema,
): ChainTypeError {
  const e = "text" in expected ? expected.text : formatSchema(expected);
  const gloss = "text" in expected ? ` (${expected.gloss})` : "";
  const a = formatSchema(actual);
  return new ChainTypeError(
    `Cannot chain stage ${index} ("${name}"): it takes ${e}${gloss}, but ${index === 0 ? "the batch is" : "the previous stage outputs"} ${a}`,
    { stage: index, operator: name, expected: e, actual: a },
  );
}

/** What a reduce stage takes (spec/http-api.md §Reduce), for its mismatch message. */
const REDUCE_INPUT = {
  text: "(K, i64)",
  gloss: "K = String or an integer type; or a two-field struct of that shape",
} as const;

/** Resolves and type-checks `stages` for a batch of schema `input`. */
export async function planChain<Op extends OperatorDescriptor = HostedOperator>(
  stages: readonly Stage[],
  input: Schema,
  resolver: OperatorResolver<Op>,
): Promise<ChainPlan<Op>> {
  const planned: PlannedStage<Op>[] = [];
  let current = input;
  for (const [index, stage] of stages.entries()) {
    if (stage.kind === "reduce") {
      const name = `reduce:${stage.namespace}`;
      const key = reduceKeyType(current);
      if (key === undefined) {
        throw mismatch(index, name, REDUCE_INPUT, current);
      }
      const output = reduceOutputSchema(key);
      planned.push({ kind: "reduce", name, namespace: stage.namespace, key, input: current, output });
      current = output;
      continue;
    }
    const operator = await resolver.resolve(stage.name);
    const { input: takes, output } = operator.manifest;
    if (!isLayoutEquivalent(takes, current)) throw mismatch(index, stage.name, takes, current);
    planned.push({ kind: "operator", name: stage.name, operator, input: takes, output });
    current = output;
  }
  return { input, output: current, stages: planned };
}
