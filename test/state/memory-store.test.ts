// MemoryReduceStore holds the ReduceStore contract.
import { describe } from "node:test";
import { MemoryReduceStore } from "../../src/state/index.ts";
import { reduceStoreContract } from "./reduce-store-contract.ts";

describe("MemoryReduceStore", () => reduceStoreContract(() => new MemoryReduceStore()));
