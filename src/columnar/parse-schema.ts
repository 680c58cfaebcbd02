// The schema language parser (spec/columnar-format.md §3.1): text -> Schema, errors carry offsets.
import { type Format, isPrimitiveKind, PRIMITIVE_BYTES, type Schema, type StructField } from "./schema.ts";
import { SchemaError } from "./schema-error.ts";
import { countSlices } from "./slice-layout.ts";

/** Limits of spec §3.1; exceeding one is `schema-too-large`. */
export const SCHEMA_LIMITS = { maxTextBytes: 4096, maxDepth: 32, maxSlices: 1024 } as const;

interface Token {
  readonly text: string;
  readonly offset: number;
  /** An identifier (a type or field name); `&name`, a reference type, is never a name. */
  readonly kind: "name" | "punct" | "reference";
}

const PUNCTUATION = "(){}<>,:";
const NAME_START = /[A-Za-z_]/;
const NAME_PART = /[A-Za-z0-9_]/;

/**
 * The whole text as tokens, before any parsing: a character outside the language is a
 * `schema-syntax` error at its offset even after an unknown name (`u 8` is whitespace inside a
 * token, not the unknown type `u`).
 */
function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === " " || c === "\t" || c === "\r" || c === "\n") {
      i++;
      continue;
    }
    if (PUNCTUATION.includes(c)) {
      tokens.push({ text: c, offset: i, kind: "punct" });
      i++;
      continue;
    }
    // `&str` and the like: Rust reference types, named as such in their unknown-type error
    const nameStart = c === "&" ? i + 1 : i;
    if (nameStart < text.length && NAME_START.test(text[nameStart])) {
      let end = nameStart;
      while (end < text.length && NAME_PART.test(text[end])) end++;
      tokens.push({ text: text.slice(i, end), offset: i, kind: c === "&" ? "reference" : "name" });
      i = end;
      continue;
    }
    throw new SchemaError(
      "schema-syntax",
      `Cannot parse schema: unexpected character ${JSON.stringify(c)} at offset ${i}`,
      i,
    );
  }
  return tokens;
}

class SchemaParser {
  readonly #tokens: Token[];
  readonly #end: number;
  #at = 0;

  constructor(text: string) {
    this.#tokens = tokenize(text);
    this.#end = text.length;
  }

  parseTop(): Schema {
    const schema = this.#type(0);
    const extra = this.#tokens[this.#at];
    if (extra) this.#fail(`expected end of schema, found '${extra.text}'`, extra.offset);
    return schema;
  }

  #fail(expected: string, offset: number): never {
    throw new SchemaError("schema-syntax", `Cannot parse schema at offset ${offset}: ${expected}`, offset);
  }

  #peek(): Token | undefined {
    return this.#tokens[this.#at];
  }

  #next(expected: string): Token {
    const token = this.#tokens[this.#at];
    if (!token) this.#fail(`expected ${expected}, found end of schema`, this.#end);
    this.#at++;
    return token;
  }

  #expect(punct: string): void {
    const token = this.#next(`'${punct}'`);
    if (token.text !== punct || token.kind !== "punct")
      this.#fail(`expected '${punct}', found '${token.text}'`, token.offset);
  }

  #nested(depth: number, offset: number): number {
    if (depth + 1 > SCHEMA_LIMITS.maxDepth) {
      throw new SchemaError(
        "schema-too-large",
        `Cannot parse schema: nesting deeper than ${SCHEMA_LIMITS.maxDepth} levels at offset ${offset}`,
        offset,
      );
    }
    return depth + 1;
  }

  #type(depth: number): Schema {
    const token = this.#next("a type");
    if (token.kind !== "punct") return this.#named(token, depth);
    if (token.text === "(") return this.#tuple(token, this.#nested(depth, token.offset));
    if (token.text === "{") return this.#struct(token, this.#nested(depth, token.offset));
    return this.#fail(`expected a type, found '${token.text}'`, token.offset);
  }

  #named(token: Token, depth: number): Schema {
    const name = token.text;
    const isName = token.kind === "name";
    if (isName && (isPrimitiveKind(name) || name === "bool")) return { kind: name };
    if (isName && name === "String") return { kind: "string" };
    if (isName && (name === "Vec" || name === "Option" || name === "Result")) {
      const inner = this.#nested(depth, token.offset);
      this.#expect("<");
      const first = this.#type(inner);
      if (name === "Result") {
        this.#expect(",");
        const err = this.#type(inner);
        this.#expect(">");
        return { kind: "result", ok: first, err };
      }
      this.#expect(">");
      return name === "Vec" ? { kind: "vec", item: first } : { kind: "option", some: first };
    }
    throw new SchemaError(
      "schema-unknown-type",
      `Cannot parse schema: unknown type ${JSON.stringify(name)} at offset ${token.offset}${typeHint(name)}`,
      token.offset,
    );
  }

  #tuple(open: Token, depth: number): Schema {
    if (this.#peek()?.text === ")")
      this.#fail(
        "expected a type, found ')' (the unit type () is not supported)",
        this.#peek()?.offset ?? open.offset,
      );
    const elements: Schema[] = [this.#type(depth)];
    let sawComma = false;
    let close = open;
    for (;;) {
      const token = this.#next("',' or ')'");
      close = token;
      if (token.text === ")" && token.kind === "punct") break;
      if (token.text !== "," || token.kind !== "punct")
        this.#fail(`expected ',' or ')', found '${token.text}'`, token.offset);
      sawComma = true;
      if (this.#peek()?.text === ")") {
        this.#at++;
        break;
      }
      elements.push(this.#type(depth));
    }
    // Point at the ')' where the comma was expected (spec §6.5: the offset of what was expected).
    if (!sawComma) this.#fail("expected ',' in a 1-tuple (write T or (T,))", close.offset);
    return { kind: "tuple", elements };
  }

  #struct(open: Token, depth: number): Schema {
    const fields: StructField[] = [];
    const seen = new Set<string>();
    if (this.#peek()?.text === "}")
      this.#fail(
        "expected a field name, found '}' (empty structs are not supported)",
        this.#peek()?.offset ?? open.offset,
      );
    for (;;) {
      const name = this.#next("a field name");
      if (name.kind !== "name") this.#fail(`expected a field name, found '${name.text}'`, name.offset);
      if (seen.has(name.text)) {
        throw new SchemaError(
          "schema-duplicate-field",
          `Cannot parse schema: field ${JSON.stringify(name.text)} is declared twice (offset ${name.offset})`,
          name.offset,
        );
      }
      seen.add(name.text);
      this.#expect(":");
      fields.push({ name: name.text, type: this.#type(depth) });
      const token = this.#next("',' or '}'");
      if (token.text === "}" && token.kind === "punct") break;
      if (token.text !== "," || token.kind !== "punct")
        this.#fail(`expected ',' or '}', found '${token.text}'`, token.offset);
      if (this.#peek()?.text === "}") {
        this.#at++;
        break;
      }
    }
    return { kind: "struct", fields };
  }
}

/**
 * Parses a schema text (a `Columnar-Schema` header, a manifest field, a CLI flag).
 * The slice limit is checked for `format` (default `0.1`, which has the most slices).
 *
 * @example
 * ```ts
 * import { parseSchema, formatSchema } from "./index.ts";
 * formatSchema(parseSchema(" ( String ,i64 , ) ")); // "(String, i64)"
 * ```
 */
export function parseSchema(text: string, options: { format?: Format } = {}): Schema {
  const byteLength = new TextEncoder().encode(text).length;
  if (byteLength > SCHEMA_LIMITS.maxTextBytes) {
    throw new SchemaError(
      "schema-too-large",
      `Cannot parse schema: text is ${byteLength} bytes, the limit is ${SCHEMA_LIMITS.maxTextBytes}`,
      SCHEMA_LIMITS.maxTextBytes,
    );
  }
  const schema = new SchemaParser(text).parseTop();
  const format = options.format ?? "0.1";
  const slices = countSlices(schema, format);
  if (slices > SCHEMA_LIMITS.maxSlices) {
    throw new SchemaError(
      "schema-too-large",
      `Cannot parse schema: it needs ${slices} slices in format ${format}, the limit is ${SCHEMA_LIMITS.maxSlices}`,
      0,
    );
  }
  return schema;
}

/** The spec's type names: types are matched case-sensitively (§3.1), so a wrong case gets a hint. */
const TYPE_NAMES = [...Object.keys(PRIMITIVE_BYTES), "bool", "String", "Vec", "Option", "Result"];

/** ` (did you mean X?)` when `name` is a type name in another case (`string`, `U64`), else nothing. */
function typeHint(name: string): string {
  const same = TYPE_NAMES.find((t) => t.toLowerCase() === name.toLowerCase());
  return same === undefined ? "" : ` (did you mean ${same}? type names are case-sensitive)`;
}
