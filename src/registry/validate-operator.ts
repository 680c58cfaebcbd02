// Everything an upload must pass before it is stored (spec/http-api.md §Operators): size limit,
// memory cap patched in, compiled (by the runtime's own capability), exports and manifest checked,
// examples run. Shared by every registry so each runtime rejects exactly the same modules.
import { formatSchema } from "../columnar/index.ts";
import { ColwasmError } from "../error.ts";
import { sha256Hex } from "../sha256-hex.ts";
import {
  capModuleLimits,
  checkExportSignatures,
  checkInstantiates,
  fuelForDeadline,
  meterFuel,
  instrumentOperator,
  type HostedOperator,
  compileFailure,
  type ManifestJson,
  type OperatorLimits,
  prepareOperator,
  runExamples,
} from "../wasm/index.ts";
import type { OperatorEntry } from "./operator-registry.ts";

/** Compiles module bytes; a runtime that cannot compile here (workerd) supplies its own way. */
export type CompileWasm = (wasm: Uint8Array) => Promise<WebAssembly.Module>;

/** Runs a manifest's examples; throws InvalidOperatorError on a mismatch. */
export type CheckExamples = (op: HostedOperator) => Promise<void>;

/** Capabilities and limits of validation. */
export interface ValidateOptions {
  readonly compile: CompileWasm;
  readonly limits: { readonly maxModuleBytes: number; readonly operator: OperatorLimits };
  /** Default: run them inline with `runExamples` (cannot stop an endless loop; see LocalChainService). */
  readonly checkExamples?: CheckExamples;
  /**
   * Host modules fuel-metered (src/wasm/meter-fuel.ts), so an endless loop stops itself when its
   * budget (`limits.operator.fuel`) runs out: for runtimes whose threads cannot be stopped from
   * outside (Deno: a terminated web Worker spinning in WASM or JS keeps its core, denoland/deno
   * PR #35657). Default false: memory cap and `memory.grow` watch only.
   */
  readonly meterFuel?: boolean;
}

/** A module that passed validation. */
export interface ValidOperator {
  readonly hosted: HostedOperator;
  readonly sha256: string;
}

/**
 * Compiles `wasm` with its memory capped and its `memory.grow`s watched (so running into the cap
 * is reported as reason "memory"), and fuel-metered with `meterFuel`; compile failures become
 * `invalid-operator`.
 */
export async function compileCapped(
  name: string,
  wasm: Uint8Array,
  options: ValidateOptions,
): Promise<WebAssembly.Module> {
  const capped = instrumentOperator(capModuleLimits(wasm, options.limits.operator.maxMemoryPages), {
    fuel: options.meterFuel ?? false,
  });
  try {
    return await options.compile(capped);
  } catch (error) {
    throw compileFailure(name, error);
  }
}

/**
 * Instantiates a fuel-metered copy of the upload here, on the calling thread: its data segments
 * must fit and its start function return within the deadline's fuel (metered, a start function
 * that never returns cannot hold this thread). Examples may be absent, so this is the one check
 * that a module instantiates at all before it is stored.
 */
async function checkInstantiatesMetered(
  hosted: HostedOperator,
  wasm: Uint8Array,
  options: ValidateOptions,
): Promise<void> {
  const limits = options.limits.operator;
  // a host that meters its modules (meterFuel) compiled this very copy in compileCapped already
  const module = options.meterFuel
    ? hosted.module
    : await options.compile(meterFuel(capModuleLimits(wasm, limits.maxMemoryPages)));
  checkInstantiates(
    { ...hosted, module },
    { ...limits, fuel: limits.fuel ?? fuelForDeadline(limits.deadlineMs) },
  );
}

/** Validates an upload; throws `too-large` or `InvalidOperatorError`. */
export async function validateOperator(
  name: string,
  wasm: Uint8Array,
  options: ValidateOptions & { headers?: Partial<ManifestJson> },
): Promise<ValidOperator> {
  const { maxModuleBytes } = options.limits;
  if (wasm.byteLength > maxModuleBytes) {
    throw new ColwasmError(
      "too-large",
      `Cannot store operator "${name}": the module has ${wasm.byteLength} bytes, the limit is ${maxModuleBytes}`,
      {
        operator: name,
      },
    );
  }
  const module = await compileCapped(name, wasm, options);
  const hosted = prepareOperator(name, module, { headers: options.headers });
  checkExportSignatures(wasm, hosted.manifest.abi, name);
  await checkInstantiatesMetered(hosted, wasm, options);
  if (options.checkExamples !== undefined) await options.checkExamples(hosted);
  else runExamples(hosted, options.limits.operator);
  return { hosted, sha256: await sha256Hex(wasm) };
}

/** The listing of a validated operator. */
export function operatorEntry(
  valid: ValidOperator,
  size: number,
  options: { builtin: boolean; uploadedAt: string | null },
): OperatorEntry {
  const { manifest } = valid.hosted;
  return {
    name: valid.hosted.name,
    abi: manifest.abi,
    input: formatSchema(manifest.input),
    output: formatSchema(manifest.output),
    ...(manifest.description === undefined ? {} : { description: manifest.description }),
    sha256: valid.sha256,
    size,
    builtin: options.builtin,
    uploaded_at: options.uploadedAt,
  };
}
