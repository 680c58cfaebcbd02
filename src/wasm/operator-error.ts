// Failures of hosted operators (spec/operator-abi.md §Limits and faults) and of uploads.
import { ColwasmError } from "../error.ts";

/** Why an operator invocation failed: the `reason` of an `operator-failed` problem. */
export type OperatorFailure = "trap" | "error" | "deadline" | "memory" | "invalid-output";

/** An operator invocation that failed; the instance that raised it is discarded. */
export class OperatorError extends ColwasmError {
  readonly operator: string;
  readonly reason: OperatorFailure;

  constructor(
    operator: string,
    reason: OperatorFailure,
    message: string,
    options?: { cause?: unknown; stage?: number },
  ) {
    super("operator-failed", message, { operator, reason, stage: options?.stage }, options);
    this.name = "OperatorError";
    this.operator = operator;
    this.reason = reason;
  }
}

/** A module rejected at upload or load: not WASM, wrong exports, imports, bad manifest, failing example. */
export class InvalidOperatorError extends ColwasmError {
  constructor(
    message: string,
    fields: { operator?: string; rule?: string } = {},
    options?: { cause?: unknown },
  ) {
    super("invalid-operator", message, fields, options);
    this.name = "InvalidOperatorError";
  }
}

/**
 * `error` as the upload's failure when it is the engine refusing to compile the module (rule
 * "not-wasm"); anything else is rethrown as it is.
 */
export function compileFailure(operator: string, error: unknown): InvalidOperatorError {
  if (!(error instanceof WebAssembly.CompileError)) throw error;
  return new InvalidOperatorError(
    `Cannot compile operator "${operator}": ${error.message}`,
    { operator, rule: "not-wasm" },
    { cause: error },
  );
}
