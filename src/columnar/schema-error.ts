// Rejections of a schema text (spec/columnar-format.md §3, §6.5): always carry a character offset.
import { ColwasmError } from "../error.ts";

/** Stable codes of schema-stage rejections. */
export type SchemaRule =
  "schema-syntax" | "schema-unknown-type" | "schema-duplicate-field" | "schema-too-large";

/** A schema that does not parse; `offset` is the 0-based character offset of the problem. */
export class SchemaError extends ColwasmError {
  readonly rule: SchemaRule;
  readonly offset: number;

  constructor(rule: SchemaRule, message: string, offset: number) {
    super("bad-schema", message, { rule, offset });
    this.name = "SchemaError";
    this.rule = rule;
    this.offset = offset;
  }
}
