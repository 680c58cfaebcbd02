// The operator registry over any OperatorStore: built-ins (from bytes given at start, never
// replaced: 409), uploads validated before they are stored, and `resolve` for chain planning with
// compiled operators cached per name and sha256 (a re-upload under the same name is seen at once).
import { isValidName, type OperatorResolver } from "../chain/index.ts";
import { ColwasmError } from "../error.ts";
import { type HostedOperator, type ManifestJson, prepareOperator } from "../wasm/index.ts";
import type { OperatorEntry, OperatorRegistry } from "./operator-registry.ts";
import type { OperatorStore } from "./operator-store.ts";
import { unknownOperator } from "./unknown-operator.ts";
import { compileCapped, operatorEntry, type ValidateOptions, validateOperator } from "./validate-operator.ts";

/** A built-in operator: bytes bundled with the runtime (`module` when the platform precompiled it). */
export interface BuiltinOperator {
  readonly name: string;
  readonly wasm: Uint8Array;
  readonly module?: WebAssembly.Module;
}

/** Options of `RegistryCore.create`. */
export interface RegistryOptions extends ValidateOptions {
  readonly store: OperatorStore;
  readonly builtins?: readonly BuiltinOperator[];
  /** Clock for `uploaded_at`. */
  readonly now?: () => Date;
}

interface Loaded {
  readonly sha256: string;
  readonly op: Promise<HostedOperator>;
}

const builtinConflict = (name: string, action: string): ColwasmError =>
  new ColwasmError("conflict", `Cannot ${action} operator "${name}": it is built in`, { operator: name });

/** An OperatorRegistry and OperatorResolver backed by `store`. */
export class RegistryCore implements OperatorRegistry, OperatorResolver<HostedOperator> {
  readonly #options: RegistryOptions;
  readonly #builtins: ReadonlyMap<string, { entry: OperatorEntry; hosted: HostedOperator }>;
  readonly #loaded = new Map<string, Loaded>();
  /** Compiled modules by sha256 of their bytes as uploaded: one compile per distinct module. */
  readonly #modules = new Map<string, Promise<WebAssembly.Module>>();

  private constructor(
    options: RegistryOptions,
    builtins: ReadonlyMap<string, { entry: OperatorEntry; hosted: HostedOperator }>,
  ) {
    this.#options = options;
    this.#builtins = builtins;
  }

  /** Validates the built-ins (a broken build fails here, at start) and returns the registry. */
  static async create(options: RegistryOptions): Promise<RegistryCore> {
    const builtins = new Map<string, { entry: OperatorEntry; hosted: HostedOperator }>();
    for (const b of options.builtins ?? []) {
      const compile =
        b.module === undefined ? options.compile : () => Promise.resolve(b.module as WebAssembly.Module);
      const valid = await validateOperator(b.name, b.wasm, {
        ...options,
        compile,
        limits: { ...options.limits, maxModuleBytes: Infinity },
      });
      builtins.set(b.name, {
        entry: operatorEntry(valid, b.wasm.byteLength, { builtin: true, uploadedAt: null }),
        hosted: valid.hosted,
      });
    }
    return new RegistryCore(options, builtins);
  }

  /** Names of the built-in operators, in the order given. */
  get builtinNames(): string[] {
    return [...this.#builtins.keys()];
  }

  async list(): Promise<OperatorEntry[]> {
    const uploaded = (await this.#options.store.listEntries())
      .map((r) => r.entry)
      .filter((e) => !this.#builtins.has(e.name));
    uploaded.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return [...[...this.#builtins.values()].map((b) => b.entry), ...uploaded];
  }

  async get(name: string): Promise<OperatorEntry | undefined> {
    const builtin = this.#builtins.get(name);
    if (builtin !== undefined) return builtin.entry;
    return (await this.#options.store.getEntry(name))?.entry;
  }

  async put(name: string, wasm: Uint8Array, headers: Partial<ManifestJson>): Promise<OperatorEntry> {
    if (!isValidName(name)) {
      throw new ColwasmError(
        "bad-request",
        `Cannot store operator ${JSON.stringify(name)}: names are 1-64 of A-Z a-z 0-9 _ . - and start with a letter, digit or _`,
      );
    }
    if (this.#builtins.has(name)) throw builtinConflict(name, "replace");
    const valid = await validateOperator(name, wasm, { ...this.#options, headers });
    const now = this.#options.now?.() ?? new Date();
    const entry = operatorEntry(valid, wasm.byteLength, { builtin: false, uploadedAt: now.toISOString() });
    await this.#options.store.putBlob({ entry, headers: definedOnly(headers) }, wasm);
    this.#loaded.set(name, { sha256: valid.sha256, op: Promise.resolve(valid.hosted) });
    this.#modules.set(valid.sha256, Promise.resolve(valid.hosted.module));
    this.#prune();
    return entry;
  }

  async delete(name: string): Promise<void> {
    if (this.#builtins.has(name)) throw builtinConflict(name, "delete");
    this.#loaded.delete(name);
    this.#prune();
    if (!(await this.#options.store.deleteBlob(name))) throw unknownOperator(name);
  }

  /** The compiled operator `name`; throws `unknown-operator` when there is none. */
  async resolve(name: string): Promise<HostedOperator> {
    const builtin = this.#builtins.get(name);
    if (builtin !== undefined) return builtin.hosted;
    const record = await this.#options.store.getEntry(name);
    if (record === undefined) {
      this.#loaded.delete(name);
      throw unknownOperator(name);
    }
    const cached = this.#loaded.get(name);
    if (cached !== undefined && cached.sha256 === record.entry.sha256) return cached.op;
    const op = this.#load(name, record.entry.sha256, record.headers);
    const loaded = { sha256: record.entry.sha256, op };
    this.#loaded.set(name, loaded);
    this.#prune();
    op.catch(() => {
      if (this.#loaded.get(name) !== loaded) return;
      this.#loaded.delete(name);
      this.#prune();
    });
    return op;
  }

  /** Compiles a stored module again (after a restart, or after another instance replaced it). */
  async #load(name: string, sha256: string, headers: Partial<ManifestJson>): Promise<HostedOperator> {
    let module = this.#modules.get(sha256);
    if (module === undefined) {
      const wasm = await this.#options.store.getBlob(name);
      if (wasm === undefined) throw unknownOperator(name);
      module = compileCapped(name, wasm, this.#options);
      this.#modules.set(sha256, module);
    }
    return prepareOperator(name, await module, { headers });
  }

  /** Forgets compiled modules that no loaded name uses any more. */
  #prune(): void {
    const used = new Set([...this.#loaded.values()].map((l) => l.sha256));
    for (const sha256 of this.#modules.keys()) if (!used.has(sha256)) this.#modules.delete(sha256);
  }
}

/** Header fields that were actually given (undefined ones would overwrite the section's). */
function definedOnly(headers: Partial<ManifestJson>): Partial<ManifestJson> {
  return Object.fromEntries(Object.entries(headers).filter(([, v]) => v !== undefined));
}
