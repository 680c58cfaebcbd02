// Key types a process saw bound to namespaces (ReduceStore.claimKeyType), so a batch does not pay
// a storage round trip to re-check its namespace's type. Entries expire: a namespace dropped and
// retyped by another process is seen here at the latest after `ttlMs`.
import { keyTypeConflict } from "./reduce-store.ts";

/** Namespace -> bound key type, each entry valid for `ttlMs`. */
export class KeyTypeCache {
  readonly #entries = new Map<string, { keyType: string; until: number }>();
  readonly #ttlMs: number;

  constructor(ttlMs = 30_000) {
    this.#ttlMs = ttlMs;
  }

  /** True when `namespace` is known, and still recently, to be bound to `keyType`. */
  has(namespace: string, keyType: string): boolean {
    const entry = this.#entries.get(namespace);
    return entry !== undefined && entry.keyType === keyType && entry.until > Date.now();
  }

  set(namespace: string, keyType: string): void {
    this.#entries.set(namespace, { keyType, until: Date.now() + this.#ttlMs });
  }

  /**
   * ReduceStore.claimKeyType over a storage-specific `bind`, which binds the namespace to `keyType`
   * when it has no key type yet and answers the one it is bound to: cached bindings skip it.
   */
  async claim(namespace: string, keyType: string, bind: () => Promise<string>): Promise<void> {
    if (this.has(namespace, keyType)) return;
    const bound = await bind();
    if (bound !== keyType) throw keyTypeConflict(namespace, bound, keyType);
    this.set(namespace, keyType);
  }

  delete(namespace: string): void {
    this.#entries.delete(namespace);
  }
}
