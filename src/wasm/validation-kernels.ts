// Binds the validation kernels (src/wasm/kernels/validate.wat) to one operator's memory, so the
// output of that operator is validated in place, in WASM (see src/columnar/validation-kernels.ts).
import type { Utf8Scan, ValidationKernels } from "../columnar/index.ts";

interface KernelExports {
  first_bad_bound(ptr: number, count: number): number;
  first_split_bound(bounds: number, count: number, bytes: number, len: number): number;
  scan_utf8(ptr: number, len: number): number;
}

function isKernelExports(e: WebAssembly.Exports): e is WebAssembly.Exports & KernelExports {
  return (
    typeof e.first_bad_bound === "function" &&
    typeof e.first_split_bound === "function" &&
    typeof e.scan_utf8 === "function"
  );
}

/** Kernels over `memory`, from the compiled kernel module (imports `env.memory`). */
export function bindValidationKernels(
  kernelModule: WebAssembly.Module,
  memory: WebAssembly.Memory,
): ValidationKernels {
  const exports = new WebAssembly.Instance(kernelModule, { env: { memory } }).exports;
  if (!isKernelExports(exports)) throw new TypeError("validation kernel module lacks its exports");
  const k = exports;
  return {
    // The buffer changes identity when memory grows: compare at each call.
    covers: (bytes) => bytes.buffer === memory.buffer,
    firstBadBound: (bounds) => k.first_bad_bound(bounds.byteOffset, bounds.byteLength >>> 3),
    scanUtf8(bytes): Utf8Scan {
      const r = k.scan_utf8(bytes.byteOffset, bytes.byteLength);
      return { invalidAt: r >= 0 ? r : -1, isAscii: r === -1 };
    },
    firstSplitBound: (bounds, bytes) =>
      k.first_split_bound(bounds.byteOffset, bounds.byteLength >>> 3, bytes.byteOffset, bytes.byteLength),
  };
}
