// A streaming CSV reader (RFC 4180: `,` separators, `"` quoting with `""` escapes, quoted fields may
// span lines, CRLF or LF records): text goes in as it arrives, complete records come out.
import { BatchError } from "../columnar/index.ts";

/** Splits CSV text into records of fields across `push` calls. */
export class CsvRecords {
  #field = "";
  #record: string[] = [];
  #isQuoted = false;
  /** Inside quotes, the previous character was a `"` (an escape or the closing quote). */
  #isQuotePending = false;
  #hasContent = false;
  #recordCount = 0;

  /** Consumes `text`; returns the records it completed. */
  push(text: string): string[][] {
    const done: string[][] = [];
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (this.#isQuoted) {
        if (this.#isQuotePending) {
          this.#isQuotePending = false;
          if (ch === '"') {
            this.#field += '"';
            continue;
          }
          this.#isQuoted = false; // that quote closed the field; read `ch` as unquoted
        } else if (ch === '"') {
          this.#isQuotePending = true;
          continue;
        } else {
          this.#field += ch;
          continue;
        }
      }
      if (ch === ",") {
        this.#endField();
      } else if (ch === "\n") {
        if (this.#field.endsWith("\r")) this.#field = this.#field.slice(0, -1);
        const record = this.#endRecord();
        if (record !== undefined) done.push(record);
      } else if (ch === '"' && this.#field === "") {
        this.#isQuoted = true;
        this.#hasContent = true;
      } else {
        this.#field += ch;
        this.#hasContent = true;
      }
    }
    return done;
  }

  /** Ends the input; returns the last record if it had no final newline. */
  finish(): string[][] {
    if (this.#isQuoted && !this.#isQuotePending) {
      throw new BatchError(
        "row-syntax",
        `CSV record ${this.#recordCount + 1}: a quoted field is never closed`,
        {
          row: this.#recordCount,
        },
      );
    }
    this.#isQuoted = false;
    this.#isQuotePending = false;
    const record = this.#endRecord();
    return record === undefined ? [] : [record];
  }

  #endField(): void {
    this.#record.push(this.#field);
    this.#field = "";
    this.#hasContent = true;
  }

  /** The record so far, or undefined for a blank line. */
  #endRecord(): string[] | undefined {
    if (!this.#hasContent && this.#field === "") return undefined;
    this.#record.push(this.#field);
    const record = this.#record;
    this.#field = "";
    this.#record = [];
    this.#hasContent = false;
    this.#recordCount++;
    return record;
  }
}
