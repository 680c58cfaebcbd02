// One operator as `GET /v1/operators` lists it (spec/http-api.md §Operators), read field by field
// from the untrusted JSON rather than cast.

/** An operator of the registry. */
export interface OperatorEntry {
  readonly name: string;
  readonly abi: string;
  readonly input: string;
  readonly output: string;
  readonly sha256: string;
  readonly size: number;
  readonly builtin: boolean;
  /** ISO time of the upload; absent for built-ins. */
  readonly uploadedAt: string | undefined;
  readonly description: string | undefined;
}

/** Reads an entry from the runtime's JSON (missing fields become empty strings or 0). */
export function readOperatorEntry(json: unknown): OperatorEntry {
  const o: Record<string, unknown> =
    typeof json === "object" && json !== null ? Object.fromEntries(Object.entries(json)) : {};
  const text = (key: string): string => (typeof o[key] === "string" ? String(o[key]) : "");
  const uploaded = o.uploaded_at ?? o.uploadedAt;
  return {
    name: text("name"),
    abi: text("abi"),
    input: text("input"),
    output: text("output"),
    sha256: text("sha256"),
    size: typeof o.size === "number" ? o.size : 0,
    builtin: o.builtin === true,
    uploadedAt: typeof uploaded === "string" ? uploaded : undefined,
    description: typeof o.description === "string" ? o.description : undefined,
  };
}

/**
 * An entry with the HTTP API's field names and order (spec/http-api.md §Operators: `uploaded_at`,
 * null for built-ins), as `colwasm ops --json` prints it.
 */
export function operatorEntryJson(entry: OperatorEntry): Record<string, unknown> {
  return {
    name: entry.name,
    abi: entry.abi,
    input: entry.input,
    output: entry.output,
    ...(entry.description === undefined ? {} : { description: entry.description }),
    sha256: entry.sha256,
    size: entry.size,
    builtin: entry.builtin,
    uploaded_at: entry.uploadedAt ?? null,
  };
}
