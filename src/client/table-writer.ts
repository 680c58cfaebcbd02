// `--output table`: result rows as aligned columns, streamed batch by batch. Widths come from the
// header and the first batch (capped), so nothing waits for the whole output; later wider cells
// simply push their line out.
import type { Schema } from "../columnar/index.ts";

const MAX_WIDTH = 40;

/** Writes rows of one schema as a text table. */
export class TableWriter {
  readonly #headers: readonly string[];
  #widths: number[] | undefined;

  constructor(schema: Schema) {
    this.#headers =
      schema.kind === "struct"
        ? schema.fields.map((f) => f.name)
        : schema.kind === "tuple"
          ? schema.elements.map((_, k) => String(k))
          : ["value"];
  }

  /** The text of `rows` (the header and a rule before the first batch). */
  format(rows: readonly unknown[]): string {
    const cells = rows.map((row) => this.#cells(row));
    let text = "";
    if (this.#widths === undefined) {
      const widths = this.#headers.map((h, k) =>
        Math.min(MAX_WIDTH, Math.max(h.length, ...cells.map((c) => c[k]?.length ?? 0))),
      );
      this.#widths = widths;
      text += `${this.#line(this.#headers)}\n${widths.map((w) => "-".repeat(w)).join("  ")}\n`;
    }
    for (const c of cells) text += `${this.#line(c)}\n`;
    return text;
  }

  #cells(row: unknown): string[] {
    const values =
      this.#headers.length === 1 && !Array.isArray(row)
        ? [row]
        : Array.isArray(row)
          ? row
          : typeof row === "object" && row !== null
            ? Object.values(row)
            : [row];
    return values.map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
  }

  #line(cells: readonly string[]): string {
    const widths = this.#widths ?? [];
    return cells
      .map((c, k) => (k === cells.length - 1 ? c : c.padEnd(widths[k] ?? 0)))
      .join("  ")
      .trimEnd();
  }
}
