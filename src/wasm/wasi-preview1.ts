// The part of WASI preview 1 (`wasi_snapshot_preview1`) that libc and Rust's std call on their
// own, so modules built for wasm32-wasi(p1) run as operators: a C operator that uses printf or
// malloc, a Rust one that uses std (HashMap, format!, panics). An operator has no files, network,
// arguments or environment: stdout and stderr are kept (their tail is told when a call fails, so
// a Rust panic says where), clocks read, and random bytes come from a fixed sequence per instance,
// so an operator stays a pure function of its input (Deno reruns segments). Everything else
// answers ENOSYS or EBADF, as a sandbox without the capability would.
// Spec: WebAssembly/WASI legacy/preview1/docs.md (function names, errno values, layouts).

/** The import module name of WASI preview 1. */
export const WASI_MODULE = "wasi_snapshot_preview1";

const SUCCESS = 0;
const EBADF = 8;
const EFAULT = 21;
const EINVAL = 28;
const ENOSYS = 52;
const ESPIPE = 70;

/** Bytes of stdout/stderr kept per call: enough for a panic message and its place. */
const KEPT_BYTES = 2048;
/** An iovec array longer than this is refused (EINVAL): no real stdio writes thousands at once. */
const MAX_IOVECS = 1024;

/** Thrown by `proc_exit` through the operator's frames; OperatorCalls reports it. */
export class OperatorExit extends Error {
  readonly code: number;
  constructor(code: number) {
    super(`it called proc_exit(${code})`);
    this.name = "OperatorExit";
    this.code = code;
  }
}

/** The tail of what an instance wrote to stdout and stderr during the current call. */
export class PrintedOutput {
  #bytes = new Uint8Array(KEPT_BYTES);
  #length = 0;

  /** Forgets what earlier calls wrote. */
  clear(): void {
    this.#length = 0;
  }

  /** Appends `bytes`, keeping the last KEPT_BYTES. */
  append(bytes: Uint8Array): void {
    if (bytes.length >= KEPT_BYTES) {
      this.#bytes.set(bytes.subarray(bytes.length - KEPT_BYTES));
      this.#length = KEPT_BYTES;
      return;
    }
    const keep = Math.min(this.#length, KEPT_BYTES - bytes.length);
    this.#bytes.copyWithin(0, this.#length - keep, this.#length);
    this.#bytes.set(bytes, keep);
    this.#length = keep + bytes.length;
  }

  /** What was written, as written (its last KEPT_BYTES), or "" when nothing was. */
  raw(): string {
    return this.#length === 0 ? "" : new TextDecoder().decode(this.#bytes.subarray(0, this.#length));
  }

  /** What was written, on one line (lines joined by " | "), or "" when nothing was. */
  text(): string {
    return this.raw()
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== "")
      .join(" | ");
  }
}

/** What the WASI functions need of the instance they serve, asked for at each call. */
export interface WasiHost {
  memory(): WebAssembly.Memory | undefined;
  /** Charges `units` of fuel for host work that grows with an operand; throws when it runs out. */
  spend(units: number): void;
  readonly printed: PrintedOutput;
}

type WasiFunction = (...args: never[]) => number;

/** `fn` as an import: each call spends HOST_CALL_FUEL of `host` first. */
export function charged<R>(host: WasiHost, fn: (...args: never[]) => R): (...args: never[]) => R {
  return (...args) => {
    host.spend(HOST_CALL_FUEL);
    return fn(...args);
  };
}

/** random_get's bytes: mulberry32 from a fixed seed, so the same sequence for every instance. */
class FixedRandom {
  #state = 0x6d2b79f5;

  fill(view: DataView, at: number, length: number): void {
    for (let k = 0; k < length; k += 4) {
      this.#state = (this.#state + 0x6d2b79f5) | 0;
      let t = Math.imul(this.#state ^ (this.#state >>> 15), this.#state | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const word = (t ^ (t >>> 14)) >>> 0;
      if (k + 4 <= length) view.setUint32(at + k, word, true);
      else for (let b = 0; k + b < length; b++) view.setUint8(at + k + b, (word >>> (8 * b)) & 0xff);
    }
  }
}

/**
 * Clocks tick by the millisecond: enough to time a batch, too coarse to time a cache miss (timing
 * side channels, which is why Workers freezes its clocks while code runs).
 */
const CLOCK_RESOLUTION_NS = 1_000_000n;

/**
 * Fuel units every call into the host costs, on top of any per-byte charge: ~0.4 µs of the deadline
 * (FUEL_PER_MS), about what an fd_write takes in workerd (~450 ns measured; ~180 ns on Node 20). A
 * loop that only calls an import would otherwise spend a few units an iteration on work that takes
 * the host 100× longer, and outlive its deadline by as much. Measured with a loop of fd_write calls
 * and the default 2 s deadline: stopped after ~4.4 s at 500 units a call.
 */
export const HOST_CALL_FUEL = 1000;

/** Fuel units random_get charges a byte: about what a JS fill costs, against the WASM budget. */
const RANDOM_FUEL_PER_BYTE = 4;

/** The implemented functions; any other name the module imports answers ENOSYS. */
function wasiFunctions(host: WasiHost): Record<string, WasiFunction> {
  const random = new FixedRandom();
  const view = (): DataView => {
    const memory = host.memory();
    if (memory === undefined) throw new RangeError("no memory yet");
    return new DataView(memory.buffer);
  };
  /** Runs `body`; an address outside memory is EFAULT, as the spec has it, not a host crash. */
  const guarded =
    <A extends unknown[]>(body: (...args: A) => number) =>
    (...args: A): number => {
      try {
        return body(...args);
      } catch (error) {
        if (error instanceof RangeError) return EFAULT;
        throw error;
      }
    };
  const noStrings = guarded((countAt: number, sizeAt: number) => {
    const v = view();
    v.setUint32(countAt >>> 0, 0, true);
    v.setUint32(sizeAt >>> 0, 0, true);
    return SUCCESS;
  });
  const isStdio = (fd: number) => fd >= 0 && fd <= 2;
  return {
    args_sizes_get: noStrings,
    environ_sizes_get: noStrings,
    args_get: () => SUCCESS,
    environ_get: () => SUCCESS,
    fd_write: guarded((fd: number, iovs: number, count: number, writtenAt: number) => {
      if (fd !== 1 && fd !== 2) return EBADF;
      if (count >>> 0 > MAX_IOVECS) return EINVAL;
      host.spend(count >>> 0); // on top of HOST_CALL_FUEL: one a buffer
      const v = view();
      let written = 0;
      for (let k = 0; k < count >>> 0; k++) {
        const at = v.getUint32((iovs >>> 0) + 8 * k, true);
        const length = v.getUint32((iovs >>> 0) + 8 * k + 4, true);
        if (at + length > v.byteLength) return EFAULT;
        // only the tail is kept: a long write costs no more than KEPT_BYTES of copying
        const kept = Math.min(length, KEPT_BYTES);
        host.printed.append(new Uint8Array(v.buffer, at + length - kept, kept));
        written += length;
      }
      v.setUint32(writtenAt >>> 0, written >>> 0, true);
      return SUCCESS;
    }),
    fd_read: guarded((fd: number, _iovs: number, _count: number, readAt: number) => {
      if (fd !== 0) return EBADF;
      view().setUint32(readAt >>> 0, 0, true); // stdin is empty
      return SUCCESS;
    }),
    fd_fdstat_get: guarded((fd: number, statAt: number) => {
      if (!isStdio(fd)) return EBADF;
      // fdstat: filetype u8 (2, character device), flags u16, then base and inheriting rights u64:
      // no seek or tell, so libc takes it for a terminal and flushes lines
      const v = view();
      const at = statAt >>> 0;
      for (let k = 0; k < 24; k++) v.setUint8(at + k, 0);
      v.setUint8(at, 2);
      v.setBigUint64(at + 8, fd === 0 ? 0x2n : 0x40n, true); // fd_read or fd_write
      return SUCCESS;
    }),
    fd_seek: (fd: number) => (isStdio(fd) ? ESPIPE : EBADF),
    fd_close: (fd: number) => (isStdio(fd) ? SUCCESS : EBADF),
    // there are no preopened directories: libc stops looking at the first EBADF
    fd_prestat_get: () => EBADF,
    fd_prestat_dir_name: () => EBADF,
    clock_res_get: guarded((id: number, resolutionAt: number) => {
      if (id < 0 || id > 3) return EINVAL;
      view().setBigUint64(resolutionAt >>> 0, CLOCK_RESOLUTION_NS, true);
      return SUCCESS;
    }),
    clock_time_get: guarded((id: number, _precision: bigint, timeAt: number) => {
      if (id < 0 || id > 3) return EINVAL;
      // realtime from Date.now(); the others (monotonic, process and thread CPU time) from
      // performance.now(), which only grows; both in whole milliseconds
      const ms = id === 0 ? Date.now() : Math.floor(performance.now());
      view().setBigUint64(timeAt >>> 0, BigInt(ms) * CLOCK_RESOLUTION_NS, true);
      return SUCCESS;
    }),
    random_get: guarded((at: number, length: number) => {
      const v = view();
      if ((at >>> 0) + (length >>> 0) > v.byteLength) return EFAULT;
      host.spend((length >>> 0) * RANDOM_FUEL_PER_BYTE);
      random.fill(v, at >>> 0, length >>> 0);
      return SUCCESS;
    }),
    sched_yield: () => SUCCESS,
    proc_exit: (code: number): never => {
      throw new OperatorExit(code >>> 0);
    },
  };
}

/**
 * The `wasi_snapshot_preview1` functions `module` imports: implemented ones, and ENOSYS for the
 * rest (a module linking `path_open` it never calls still instantiates).
 */
export function wasiImports(module: WebAssembly.Module, host: WasiHost): Record<string, WasiFunction> {
  const implemented = wasiFunctions(host);
  const out: Record<string, WasiFunction> = {};
  for (const i of WebAssembly.Module.imports(module)) {
    if (i.module !== WASI_MODULE || i.kind !== "function") continue;
    out[i.name] = charged(host, Object.hasOwn(implemented, i.name) ? implemented[i.name] : () => ENOSYS);
  }
  return out;
}
