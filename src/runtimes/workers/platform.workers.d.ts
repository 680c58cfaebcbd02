// The slice of the workerd platform colwasm uses, declared locally: @cloudflare/workers-types
// redefines DOM globals (Request, Response, WebAssembly) and clashes with the node + DOM libs
// the rest of the repo type-checks against.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
declare module "*.bin" {
  const bytes: ArrayBuffer;
  export default bytes;
}
declare module "*.src.js" {
  const source: string;
  export default source;
}

declare module "cloudflare:workers" {
  /** One row-set of `ctx.storage.sql.exec`. */
  export interface SqlCursor<T> extends Iterable<T> {
    toArray(): T[];
    one(): T;
  }
  export interface DurableObjectState {
    readonly storage: {
      readonly sql: {
        exec<T = Record<string, unknown>>(query: string, ...bindings: unknown[]): SqlCursor<T>;
      };
      transactionSync<T>(closure: () => T): T;
      /** The time (ms since the epoch) `alarm()` is due, or null when none is set. */
      getAlarm(): Promise<number | null>;
      setAlarm(scheduledTime: number): Promise<void>;
      deleteAlarm(): Promise<void>;
    };
  }
  export abstract class DurableObject<Env = unknown> {
    protected readonly ctx: DurableObjectState;
    protected readonly env: Env;
    constructor(ctx: DurableObjectState, env: Env);
  }
}
