// A chain that does not type-check (spec/http-api.md: 422 chain-type-mismatch, before anything runs).
import { ColwasmError } from "../error.ts";

/** Planning failed: `stage` does not accept what the previous stage produces. */
export class ChainTypeError extends ColwasmError {
  constructor(
    message: string,
    fields: { stage: number; operator: string; expected: string; actual: string },
  ) {
    super("chain-type-mismatch", message, fields);
    this.name = "ChainTypeError";
  }
}
