// Public surface of operator registries: the catalogue interface, byte stores, validation, and the
// local ChainService that plans against a registry.
export { checkExamplesIn } from "./check-examples-in.ts";
export { DetachedInlineExecutor } from "./detached-inline-executor.ts";
export { InlineFirstExecutor, type InlineFirstOptions } from "./inline-first-executor.ts";
export { type LocalChainOptions, LocalChainService } from "./local-chain-service.ts";
export { MemoryOperatorStore } from "./memory-store.ts";
export { unknownOperator } from "./unknown-operator.ts";
export type { OperatorEntry, OperatorRegistry } from "./operator-registry.ts";
export { type OperatorStore, type StoredOperator, storedOperatorSchema } from "./operator-store.ts";
export { type BuiltinOperator, RegistryCore, type RegistryOptions } from "./registry-core.ts";
export {
  type CheckExamples,
  compileCapped,
  type CompileWasm,
  operatorEntry,
  type ValidateOptions,
  type ValidOperator,
  validateOperator,
} from "./validate-operator.ts";
export { sha256Hex } from "../sha256-hex.ts";
