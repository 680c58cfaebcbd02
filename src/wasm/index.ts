// Public surface of the WASM host: manifests, module checks, instances, limits, copy metering.
export { capModuleLimits, MAX_TABLE_ELEMENTS, MAX_TABLES } from "./cap-limits.ts";
export { checkOperatorModule } from "./check-module.ts";
export { SUPPLIED_IMPORTS } from "./host-imports.ts";
export { CopyMeter } from "./copy-meter.ts";
export { checkExportSignatures, declaredAbi } from "./export-signatures.ts";
export { DEFAULT_IDLE_BOUNDS, InstancePool } from "./instance-pool.ts";
export {
  type ManifestJson,
  manifestJsonSchema,
  type OperatorAbi,
  type OperatorManifest,
  parseManifest,
  readManifestSection,
} from "./manifest.ts";
export type { OperatorBatch } from "./operator-batch.ts";
export {
  compileFailure,
  InvalidOperatorError,
  OperatorError,
  type OperatorFailure,
} from "./operator-error.ts";
export { type HostedOperator, OperatorInstance } from "./operator-instance.ts";
export { DEFAULT_OPERATOR_LIMITS, type OperatorLimits, WASM_PAGE_BYTES } from "./operator-limits.ts";
export { prepareOperator } from "./prepare-operator.ts";
export { checkInstantiates, runExamples } from "./run-examples.ts";
export {
  FUEL_EXPORT,
  fuelForDeadline,
  FUEL_PER_MS,
  GROW_FAILED_EXPORT,
  START_EXPORT,
  INITIAL_FUEL,
  instrumentOperator,
  MAX_FUEL,
  meterFuel,
} from "./meter-fuel.ts";
export { bindValidationKernels } from "./validation-kernels.ts";
export { BodyArena, BodyArenaPool } from "./body-arena.ts";
export { type BodySource, readBodyInto } from "./read-body.ts";
