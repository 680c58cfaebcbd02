// Names of the built-in operators (from operators/dist), the same on every runtime: the Worker
// bundle imports exactly these (scripts/build-worker.ts reads the list in Node before the modules
// exist), and Deno and `colwasm exec` load exactly these (operators/dist also holds the
// scaffold's `template`, which is not one).

/** Built-in operator names; every runtime serves exactly these. */
export const BUILTIN_NAMES = [
  "split_words",
  "lowercase",
  "filter_nonempty",
  "len_plus_diff",
  "len_plus_diff_blog",
  "identity",
] as const;
