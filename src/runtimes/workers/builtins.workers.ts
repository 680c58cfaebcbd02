// The built-in operators as bundled modules, prepared by scripts/build-worker.ts (memory-capped and
// fuel-metered): `.wasm` is compiled by the bundler (manifest, exports), `.bin` is the same bytes
// as data for the Worker Loader.
import filterNonemptyModule from "../../../dist/worker-assets/builtins/filter_nonempty.wasm";
import filterNonemptyBytes from "../../../dist/worker-assets/builtins/filter_nonempty.bin";
import filterNonemptySource from "../../../dist/worker-assets/builtins/filter_nonempty.source.bin";
import identityModule from "../../../dist/worker-assets/builtins/identity.wasm";
import identityBytes from "../../../dist/worker-assets/builtins/identity.bin";
import identitySource from "../../../dist/worker-assets/builtins/identity.source.bin";
import lenPlusDiffModule from "../../../dist/worker-assets/builtins/len_plus_diff.wasm";
import lenPlusDiffBytes from "../../../dist/worker-assets/builtins/len_plus_diff.bin";
import lenPlusDiffSource from "../../../dist/worker-assets/builtins/len_plus_diff.source.bin";
import lenPlusDiffBlogModule from "../../../dist/worker-assets/builtins/len_plus_diff_blog.wasm";
import lenPlusDiffBlogBytes from "../../../dist/worker-assets/builtins/len_plus_diff_blog.bin";
import lenPlusDiffBlogSource from "../../../dist/worker-assets/builtins/len_plus_diff_blog.source.bin";
import lowercaseModule from "../../../dist/worker-assets/builtins/lowercase.wasm";
import lowercaseBytes from "../../../dist/worker-assets/builtins/lowercase.bin";
import lowercaseSource from "../../../dist/worker-assets/builtins/lowercase.source.bin";
import splitWordsModule from "../../../dist/worker-assets/builtins/split_words.wasm";
import splitWordsBytes from "../../../dist/worker-assets/builtins/split_words.bin";
import splitWordsSource from "../../../dist/worker-assets/builtins/split_words.source.bin";
import kernelModule from "../../../dist/worker-assets/validate-kernels.wasm";
import type { WorkersBuiltin } from "./loader-registry.workers.ts";

/** The host's validation kernels (src/wasm/kernels/validate.wat), compiled at deploy. */
export const KERNEL_MODULE: WebAssembly.Module = kernelModule;

/** The built-ins, in the order of BUILTIN_NAMES (src/registry/builtin-names.ts). */
export const BUILTINS: readonly WorkersBuiltin[] = [
  { name: "split_words", module: splitWordsModule, bytes: splitWordsBytes, source: splitWordsSource },
  { name: "lowercase", module: lowercaseModule, bytes: lowercaseBytes, source: lowercaseSource },
  {
    name: "filter_nonempty",
    module: filterNonemptyModule,
    bytes: filterNonemptyBytes,
    source: filterNonemptySource,
  },
  { name: "len_plus_diff", module: lenPlusDiffModule, bytes: lenPlusDiffBytes, source: lenPlusDiffSource },
  {
    name: "len_plus_diff_blog",
    module: lenPlusDiffBlogModule,
    bytes: lenPlusDiffBlogBytes,
    source: lenPlusDiffBlogSource,
  },
  { name: "identity", module: identityModule, bytes: identityBytes, source: identitySource },
];
