// The parent Worker's OperatorRegistry: built-ins bundled with the Worker, uploads kept in the
// OperatorRegistry Durable Object. workerd forbids compiling WASM here, so an upload is capped and
// fuel-metered as bytes, then compiled, checked and its examples run inside a runner isolate.
import { isValidName, type OperatorDescriptor, type OperatorResolver } from "../../chain/index.ts";
import { formatSchema } from "../../columnar/index.ts";
import { ColwasmError } from "../../error.ts";
import {
  type OperatorEntry,
  type OperatorRegistry,
  sha256Hex,
  unknownOperator,
} from "../../registry/index.ts";
import {
  capModuleLimits,
  checkExportSignatures,
  declaredAbi,
  InvalidOperatorError,
  type ManifestJson,
  meterFuel,
  type OperatorLimits,
  type OperatorManifest,
  parseManifest,
  prepareOperator,
} from "../../wasm/index.ts";
import type { WorkerLoader } from "./bindings.workers.ts";
import type { OperatorRegistryObject } from "./operator-registry.workers.ts";
import {
  PLAN_HEADER,
  throwFailure,
  type ValidateAnswer,
  type ValidatePlan,
} from "./runner-protocol.workers.ts";
import { runnerIsolate, type RunnerModule } from "./runner-isolate.workers.ts";
import { useRecent } from "./use-recent.workers.ts";

/** Prepared module bytes kept per isolate (most recently used). */
const MAX_CACHED_MODULES = 8;

/** A built-in: compiled by the bundler (for its manifest) and as prepared bytes (for the loader). */
export interface WorkersBuiltin {
  readonly name: string;
  /** The prepared module (memory cap + fuel meter), compiled at deploy, and its bytes for the Loader. */
  readonly module: WebAssembly.Module;
  readonly bytes: ArrayBuffer;
  /** The module as built (operators/dist): what the listing's sha256 and size describe, as on Deno. */
  readonly source: ArrayBuffer;
}

/** What planning and the runner need of an operator. */
export interface WorkersOperator extends OperatorDescriptor, RunnerModule {
  readonly headers: Partial<ManifestJson>;
}

/** Options of `LoaderRegistry.create`. */
export interface LoaderRegistryOptions {
  readonly loader: WorkerLoader;
  /** A fresh stub per call: workerd ties a stub's I/O to the request that created it. */
  readonly store: () => OperatorRegistryObject;
  readonly builtins: readonly WorkersBuiltin[];
  readonly limits: { readonly maxModuleBytes: number; readonly operator: OperatorLimits };
}

const builtinConflict = (name: string, action: string) =>
  new ColwasmError("conflict", `Cannot ${action} operator "${name}": it is built in`, { operator: name });

/** OperatorRegistry + resolver of the Workers runtime. */
export class LoaderRegistry implements OperatorRegistry, OperatorResolver<WorkersOperator> {
  readonly #options: LoaderRegistryOptions;
  readonly #builtins: ReadonlyMap<string, { entry: OperatorEntry; op: WorkersOperator }>;
  /**
   * Prepared bytes of the MAX_CACHED_MODULES uploads used last, by sha256: a module's bytes are
   * needed only when the loader starts an isolate for it, and uploads run to 8 MiB, so keeping
   * every version ever run would grow without bound (a replaced or deleted one included).
   */
  readonly #bytes = new Map<string, Promise<ArrayBuffer>>();

  private constructor(
    options: LoaderRegistryOptions,
    builtins: ReadonlyMap<string, { entry: OperatorEntry; op: WorkersOperator }>,
  ) {
    this.#options = options;
    this.#builtins = builtins;
  }

  /** Reads the built-ins' manifests (no compile: the bundler compiled them). */
  static async create(options: LoaderRegistryOptions): Promise<LoaderRegistry> {
    const builtins = new Map<string, { entry: OperatorEntry; op: WorkersOperator }>();
    for (const b of options.builtins) {
      const { manifest } = prepareOperator(b.name, b.module);
      const op: WorkersOperator = {
        name: b.name,
        manifest,
        headers: {},
        sha256: await sha256Hex(new Uint8Array(b.bytes)), // the Loader's isolates run these bytes
        bytes: () => Promise.resolve(b.bytes),
      };
      builtins.set(b.name, {
        entry: entryOf(b.name, manifest, {
          sha256: await sha256Hex(new Uint8Array(b.source)),
          size: b.source.byteLength,
          builtin: true,
          uploadedAt: null,
        }),
        op,
      });
    }
    return new LoaderRegistry(options, builtins);
  }

  /** Names of the built-in operators. */
  get builtinNames(): string[] {
    return [...this.#builtins.keys()];
  }

  async list(): Promise<OperatorEntry[]> {
    const uploaded = (await this.#options.store().list())
      .map((u) => u.entry)
      .filter((e) => !this.#builtins.has(e.name));
    return [...[...this.#builtins.values()].map((b) => b.entry), ...uploaded];
  }

  async get(name: string): Promise<OperatorEntry | undefined> {
    return this.#builtins.get(name)?.entry ?? (await this.#options.store().get(name))?.entry;
  }

  async put(name: string, wasm: Uint8Array, headers: Partial<ManifestJson>): Promise<OperatorEntry> {
    if (!isValidName(name))
      throw new ColwasmError(
        "bad-request",
        `Cannot store operator ${JSON.stringify(name)}: names are 1-64 of A-Z a-z 0-9 _ . - and start with a letter, digit or _`,
      );
    if (this.#builtins.has(name)) throw builtinConflict(name, "replace");
    const { limits } = this.#options;
    if (wasm.byteLength > limits.maxModuleBytes) {
      throw new ColwasmError(
        "too-large",
        `Cannot store operator "${name}": the module has ${wasm.byteLength} bytes, the limit is ${limits.maxModuleBytes}`,
        { operator: name },
      );
    }
    const given = Object.fromEntries(
      Object.entries(headers).filter(([, v]) => v !== undefined),
    ) as Partial<ManifestJson>;
    // export types from the bytes before any example runs, as validateOperator does elsewhere
    const abi = declaredAbi(wasm, given.abi);
    if (abi !== undefined) checkExportSignatures(wasm, abi, name);
    const prepared = meterFuel(capModuleLimits(wasm, limits.operator.maxMemoryPages));
    const preparedSha = await sha256Hex(prepared);
    const buffer = prepared.slice().buffer;
    const manifestJson = await this.#validate(
      name,
      { sha256: preparedSha, bytes: () => Promise.resolve(buffer) },
      given,
    );
    const manifest = parseManifest(manifestJson, name);
    const sha256 = await sha256Hex(wasm);
    const entry = entryOf(name, manifest, {
      sha256,
      size: wasm.byteLength,
      builtin: false,
      uploadedAt: new Date().toISOString(),
    });
    await this.#options.store().put({ entry, manifest: { ...manifestJson, ...given } }, prepared);
    return entry;
  }

  async delete(name: string): Promise<void> {
    if (this.#builtins.has(name)) throw builtinConflict(name, "delete");
    if (!(await this.#options.store().delete(name))) throw unknownOperator(name);
  }

  async resolve(name: string): Promise<WorkersOperator> {
    const builtin = this.#builtins.get(name);
    if (builtin !== undefined) return builtin.op;
    const upload = await this.#options.store().get(name);
    if (upload === null) throw unknownOperator(name);
    const { sha256 } = upload.entry;
    const { abi, input, output } = upload.manifest;
    return {
      name,
      manifest: parseManifest(upload.manifest, name),
      headers: { abi, input, output },
      sha256,
      bytes: () => this.#bytesOf(name, sha256),
    };
  }

  #bytesOf(name: string, sha256: string): Promise<ArrayBuffer> {
    const read = () => {
      const bytes = this.#options
        .store()
        .bytes(name, sha256)
        .then((b) => {
          if (b === null) throw unknownOperator(name);
          return b.slice().buffer;
        });
      bytes.catch(() => this.#bytes.delete(sha256));
      return bytes;
    };
    return useRecent(this.#bytes, sha256, read, MAX_CACHED_MODULES);
  }

  /** Compiles, checks and runs the examples of a prepared module inside a runner isolate. */
  async #validate(name: string, module: RunnerModule, headers: Partial<ManifestJson>): Promise<ManifestJson> {
    const plan: ValidatePlan = { name, headers, limits: this.#options.limits.operator };
    let response: Response;
    try {
      const runner = await runnerIsolate(this.#options.loader, "validate", [module]);
      response = await runner.fetch(
        new Request("http://runner/validate", {
          method: "POST",
          headers: { [PLAN_HEADER]: JSON.stringify(plan) },
        }),
      );
    } catch (error) {
      throw new InvalidOperatorError(
        `Cannot compile operator "${name}": ${error instanceof Error ? error.message : String(error)}`,
        { operator: name, rule: "not-wasm" },
        { cause: error },
      );
    }
    if (!response.ok) return throwFailure(response);
    return ((await response.json()) as ValidateAnswer).manifest;
  }
}

/** The listing of an operator. */
function entryOf(
  name: string,
  manifest: OperatorManifest,
  o: { sha256: string; size: number; builtin: boolean; uploadedAt: string | null },
): OperatorEntry {
  return {
    name,
    abi: manifest.abi,
    input: formatSchema(manifest.input),
    output: formatSchema(manifest.output),
    ...(manifest.description === undefined ? {} : { description: manifest.description }),
    sha256: o.sha256,
    size: o.size,
    builtin: o.builtin,
    uploaded_at: o.uploadedAt,
  };
}
