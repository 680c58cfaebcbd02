// What the parent Worker and the dynamic runner isolate say to each other: one POST per chain run
// (`/run`, body = input batch) or upload check (`/validate`), a JSON header for the plan, and
// errors as `{ type, message, fields }` so a ColwasmError crosses the isolate boundary intact.
import type { HopTrace } from "../../chain/index.ts";
import { ColwasmError, type ProblemFields, type ProblemType } from "../../error.ts";
import type { ManifestJson, OperatorLimits } from "../../wasm/index.ts";

/** Header carrying the JSON plan of a request. */
export const PLAN_HEADER = "Colwasm-Plan";
/** Header carrying the JSON hop traces of a run. */
export const HOPS_HEADER = "Colwasm-Hops";

/** One operator stage for the runner: module `op<module>.wasm` with the upload headers. */
export interface RunnerStage {
  readonly index: number;
  readonly name: string;
  readonly module: number;
  readonly headers: Partial<ManifestJson>;
}

/** Plan of `/run`. */
export interface RunPlan {
  readonly limits: OperatorLimits;
  readonly stages: readonly RunnerStage[];
  /** Byte length of the body (the input batch), so the runner reads it straight into place. */
  readonly bodyBytes: number;
}

/** Plan of `/validate` (module `op0.wasm`). */
export interface ValidatePlan {
  readonly limits: OperatorLimits;
  readonly name: string;
  readonly headers: Partial<ManifestJson>;
}

/** Answer of `/validate`. */
export interface ValidateAnswer {
  readonly manifest: ManifestJson;
}

/** The hop traces of a run. */
export type RunHops = readonly HopTrace[];

/** The body of a failed runner request. */
export interface RunnerFailure {
  readonly type: ProblemType;
  readonly message: string;
  readonly fields: ProblemFields;
}

/** A failure as the runner sends it: ColwasmErrors keep type and fields, bugs become `internal`. */
export function failureOf(error: unknown): RunnerFailure {
  if (error instanceof ColwasmError)
    return { type: error.type, message: error.message, fields: error.fields };
  return {
    type: "internal",
    message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    fields: {},
  };
}

/** Turns a runner's failure answer back into the error the parent throws. */
export async function throwFailure(response: Response): Promise<never> {
  throw errorOfFailure((await response.json()) as RunnerFailure, "Runner isolate");
}

/** The error a failure stands for: a ColwasmError again, or a plain Error for a bug in `where`. */
export function errorOfFailure(failure: RunnerFailure, where: string): Error {
  if (failure.type === "internal") return new Error(`${where} failed: ${failure.message}`);
  return new ColwasmError(failure.type, failure.message, failure.fields);
}

/** `bytes` as a request/response body: the same view when it is over an ArrayBuffer (no copy). */
export function bodyOf(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer
    ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    : bytes.slice();
}
