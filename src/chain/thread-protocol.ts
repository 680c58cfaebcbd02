// Messages between the thread executor and its sandbox thread (structured-clone friendly).
import type { Format, Schema } from "../columnar/index.ts";
import type { OperatorLimits, OperatorManifest } from "../wasm/index.ts";
import type { HopTrace } from "./chain-executor.ts";

/** An operator sent to the thread once; later runs refer to it by `key`. */
export interface ThreadOperator {
  readonly key: number;
  readonly name: string;
  readonly module: WebAssembly.Module;
  readonly manifest: OperatorManifest;
}

/** Main -> thread: run stages over a contiguous format-0.1 body. */
export interface RunRequest {
  readonly id: number;
  readonly limits: OperatorLimits;
  readonly newOperators: readonly ThreadOperator[];
  /** Keys of operators the thread no longer needs to keep (the host sends them again if needed). */
  readonly forget: readonly number[];
  /** The validation kernels, sent with the first request of a thread (see src/wasm/validation-kernels.ts). */
  readonly kernelModule?: WebAssembly.Module;
  readonly stages: readonly { readonly index: number; readonly name: string; readonly key: number }[];
  readonly input: { readonly schema: Schema; readonly format: Format; readonly bytes: Uint8Array };
}

/** Thread -> main. */
export type ThreadMessage =
  | { readonly type: "hop"; readonly id: number; readonly stage: number; readonly name: string }
  | {
      readonly type: "done";
      readonly id: number;
      readonly bytes: Uint8Array;
      readonly hops: readonly HopTrace[];
    }
  | {
      readonly type: "error";
      readonly id: number;
      readonly problem?: {
        readonly type: string;
        readonly message: string;
        readonly fields: Record<string, unknown>;
      };
      readonly message: string;
    };

/** The sandbox's end of the channel (node:worker_threads parentPort, or a web Worker's `self`). */
export interface SandboxPort {
  post(message: ThreadMessage, transfer: ArrayBuffer[]): void;
  listen(onRequest: (request: RunRequest) => void): void;
}

/** The host's end: one sandbox thread that can be terminated mid-loop. */
export interface SandboxThread {
  post(request: RunRequest, transfer: ArrayBuffer[]): void;
  /** Subscribes; returns the unsubscribe function. */
  listen(onMessage: (message: ThreadMessage) => void, onError: (error: Error) => void): () => void;
  terminate(): Promise<void>;
}
