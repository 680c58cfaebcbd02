// Names of the Workers runtime's built-in operators (from operators/dist), kept apart from their
// module imports so scripts/build-worker.ts can read the list in Node before the modules exist.

/** Built-in operator names; scripts/build-worker.ts prepares exactly these. */
export const BUILTIN_NAMES = [
  "split_words",
  "lowercase",
  "filter_nonempty",
  "len_plus_diff",
  "len_plus_diff_blog",
  "identity",
] as const;
