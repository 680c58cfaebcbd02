// Public surface of the typed client: fetch-only, usable from Node, Deno, browsers and Workers.
export { ColwasmClientError } from "./client-error.ts";
export {
  ColwasmClient,
  type EncodedBatch,
  encodeRows,
  parseServerTiming,
  type RunOptions,
  type RunResult,
  type StageTiming,
} from "./colwasm-client.ts";
