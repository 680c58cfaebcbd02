// An OperatorStore in a Map: for tests and dev servers (uploads do not survive a restart).
import type { OperatorStore, StoredOperator } from "./operator-store.ts";

/** Keeps operators in memory. */
export class MemoryOperatorStore implements OperatorStore {
  readonly #items = new Map<string, { record: StoredOperator; wasm: Uint8Array }>();

  listEntries(): Promise<StoredOperator[]> {
    return Promise.resolve([...this.#items.values()].map((item) => item.record));
  }

  getEntry(name: string): Promise<StoredOperator | undefined> {
    return Promise.resolve(this.#items.get(name)?.record);
  }

  getBlob(name: string): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.#items.get(name)?.wasm);
  }

  putBlob(record: StoredOperator, wasm: Uint8Array): Promise<void> {
    // copy: the caller's buffer (a request body) must not alias what we keep
    this.#items.set(record.entry.name, { record, wasm: wasm.slice() });
    return Promise.resolve();
  }

  deleteBlob(name: string): Promise<boolean> {
    return Promise.resolve(this.#items.delete(name));
  }
}
