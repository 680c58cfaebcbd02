// parseSchema / formatSchema / isLayoutEquivalent against spec/columnar-format.md §3: the grammar,
// every rejection rule with its offset, the limits, canonical printing and layout equivalence.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  countSlices,
  formatSchema,
  isLayoutEquivalent,
  parseSchema,
  SCHEMA_LIMITS,
  SchemaError,
  type SchemaRule,
} from "../../src/columnar/index.ts";

/** Asserts that parsing `text` throws a SchemaError with `rule` (and `offset` when given). */
function assertRejects(text: string, rule: SchemaRule, offset?: number): void {
  assert.throws(
    () => parseSchema(text),
    (error: unknown) => {
      assert.ok(error instanceof SchemaError, `expected SchemaError for ${JSON.stringify(text)}`);
      assert.equal(error.rule, rule, `rule for ${JSON.stringify(text)}`);
      assert.equal(error.type, "bad-schema");
      if (offset !== undefined) assert.equal(error.offset, offset, `offset for ${JSON.stringify(text)}`);
      return true;
    },
  );
}

const canonical = (text: string): string => formatSchema(parseSchema(text));

describe("parseSchema() grammar", () => {
  it("parseSchema() reads every primitive and String", () => {
    for (const name of ["u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64", "f32", "f64", "bool"]) {
      assert.deepEqual(parseSchema(name), { kind: name });
    }
    assert.deepEqual(parseSchema("String"), { kind: "string" });
  });

  it("parseSchema() builds tuples, structs, Vec, Option and Result as data", () => {
    assert.deepEqual(parseSchema("(String, i64)"), {
      kind: "tuple",
      elements: [{ kind: "string" }, { kind: "i64" }],
    });
    assert.deepEqual(parseSchema("{text: String, diff: i64}"), {
      kind: "struct",
      fields: [
        { name: "text", type: { kind: "string" } },
        { name: "diff", type: { kind: "i64" } },
      ],
    });
    assert.deepEqual(parseSchema("Result<u8, Vec<Option<bool>>>"), {
      kind: "result",
      ok: { kind: "u8" },
      err: { kind: "vec", item: { kind: "option", some: { kind: "bool" } } },
    });
    assert.deepEqual(parseSchema("(u64,)"), { kind: "tuple", elements: [{ kind: "u64" }] });
  });

  it("parseSchema() accepts whitespace (space, tab, CR, LF) around every token and at both ends", () => {
    assert.equal(canonical(" \t\r\n( String ,i64 )\n"), "(String, i64)");
    assert.equal(canonical("Vec < u8 >"), "Vec<u8>");
    assert.equal(canonical("Result\t<\nu8\r,String>"), "Result<u8, String>");
    assert.equal(canonical("{ a\t:\tu8 , b :\nbool }"), "{a: u8, b: bool}");
  });

  it("parseSchema() rejects whitespace inside a token", () => {
    assertRejects("u 8", "schema-syntax", 2);
    assertRejects("Vec<u8 >x", "schema-syntax", 8);
    assertRejects("St ring", "schema-unknown-type", 0);
  });

  it("parseSchema() matches type names case-sensitively as whole identifiers", () => {
    assertRejects("string", "schema-unknown-type", 0);
    assertRejects("U64", "schema-unknown-type", 0);
    assertRejects("u8x", "schema-unknown-type", 0);
    assertRejects("Str", "schema-unknown-type", 0);
    assertRejects("vec<u8>", "schema-unknown-type", 0);
    assertRejects("(u8, Bool)", "schema-unknown-type", 5);
  });

  it("parseSchema() rejects unsupported type names with schema-unknown-type at their offset", () => {
    for (const name of ["usize", "isize", "u128", "i128", "char", "Box"]) {
      assertRejects(`(u8, ${name})`, "schema-unknown-type", 5);
    }
    assertRejects("Box<u8>", "schema-unknown-type", 0);
    assertRejects("HashMap<u8, u8>", "schema-unknown-type", 0);
  });

  it("parseSchema() rejects &str as an unknown type naming it (spec §3.1 rejected on purpose)", () => {
    assertRejects("&str", "schema-unknown-type", 0);
    assertRejects("Vec<&str>", "schema-unknown-type", 4);
    assert.throws(() => parseSchema("(u8, &str)"), /"&str"/);
    assertRejects("{&str: u8}", "schema-syntax", 1); // never a field name
    assertRejects("& str", "schema-syntax", 0);
  });

  it("parseSchema() names the type an unknown name differs from only in case", () => {
    assert.throws(
      () => parseSchema("(string, i64)"),
      /unknown type "string" at offset 1 \(did you mean String\? type names are case-sensitive\)/,
    );
    assert.throws(() => parseSchema("vec<U64>"), /did you mean Vec\?/);
    assert.throws(
      () => parseSchema("Str"),
      (error: Error) => !error.message.includes("did you mean"),
    );
  });

  it("parseSchema() rejects characters outside the language with schema-syntax", () => {
    assertRejects("(u8, é)", "schema-syntax", 5);
    assertRejects("Vec<u8>;", "schema-syntax", 7);
  });

  it("parseSchema() reads >> as two > tokens", () => {
    assert.equal(canonical("Vec<Option<u8>>"), "Vec<Option<u8>>");
    assert.equal(canonical("Vec<Vec<Vec<u8>>>"), "Vec<Vec<Vec<u8>>>");
  });

  it("parseSchema() allows a trailing comma in tuples and structs", () => {
    assert.equal(canonical("(u8, i8,)"), "(u8, i8)");
    assert.equal(canonical("{a: u8,}"), "{a: u8}");
    assert.equal(canonical("{a: u8, b: i8 , }"), "{a: u8, b: i8}");
  });

  it("parseSchema() rejects a trailing comma inside <...>", () => {
    assertRejects("Vec<u8,>", "schema-syntax", 6);
    assertRejects("Option<u8,>", "schema-syntax", 9);
    assertRejects("Result<u8, u8,>", "schema-syntax", 13);
  });

  it("parseSchema() rejects (), (T) without a comma, and {} with schema-syntax", () => {
    assertRejects("()", "schema-syntax", 1);
    assertRejects("(u8)", "schema-syntax", 3);
    assertRejects("{}", "schema-syntax", 1);
    assertRejects("( )", "schema-syntax", 2);
  });

  it("parseSchema() rejects doubled or leading commas", () => {
    assertRejects("(u8,,)", "schema-syntax", 4);
    assertRejects("(,u8)", "schema-syntax", 1);
    assertRejects("{a: u8,,}", "schema-syntax", 7);
  });

  it("parseSchema() rejects an empty or blank text at its end", () => {
    assertRejects("", "schema-syntax", 0);
    assertRejects("  ", "schema-syntax", 2);
  });

  it("parseSchema() rejects unclosed and over-closed brackets", () => {
    assertRejects("Vec<u8", "schema-syntax", 6);
    assertRejects("(u8, i8", "schema-syntax", 7);
    assertRejects("u8>", "schema-syntax", 2);
    assertRejects("(u8, i8))", "schema-syntax", 8);
    assertRejects("Vec(u8)", "schema-syntax", 3);
    assertRejects("Result<u8>", "schema-syntax", 9);
  });

  it("parseSchema() rejects a struct field without a name or type", () => {
    assertRejects("{: u8}", "schema-syntax", 1);
    assertRejects("{a u8}", "schema-syntax", 3);
    assertRejects("{a:}", "schema-syntax", 3);
    assertRejects("{1a: u8}", "schema-syntax", 1);
  });

  it("parseSchema() rejects a repeated field name at the repeat's offset", () => {
    assertRejects("{a: u8, a: u8}", "schema-duplicate-field", 8);
    assertRejects("{a: u8, b: {a: u8, b: u8}, b: i8}", "schema-duplicate-field", 27);
  });

  it("parseSchema() accepts field names that are keywords", () => {
    assert.deepEqual(parseSchema("{u8: String}"), {
      kind: "struct",
      fields: [{ name: "u8", type: { kind: "string" } }],
    });
    assert.equal(
      canonical("{Vec: u8, Option: i8, String: bool, _x1: f32}"),
      "{Vec: u8, Option: i8, String: bool, _x1: f32}",
    );
  });
});

describe("parseSchema() limits", () => {
  const nestedVec = (levels: number): string => "Vec<".repeat(levels) + "u8" + ">".repeat(levels);

  it("parseSchema() accepts a text of exactly 4096 bytes and rejects 4097", () => {
    assert.equal(SCHEMA_LIMITS.maxTextBytes, 4096);
    assert.equal(canonical(" ".repeat(4094) + "u8"), "u8");
    assertRejects(" ".repeat(4095) + "u8", "schema-too-large");
  });

  it("parseSchema() counts the text limit in UTF-8 bytes, not characters", () => {
    // 1366 three-byte characters = 4098 bytes but only 1366 UTF-16 units.
    assertRejects("€".repeat(1366), "schema-too-large");
  });

  it("parseSchema() accepts nesting depth 32 and rejects 33", () => {
    assert.equal(SCHEMA_LIMITS.maxDepth, 32);
    assert.equal(canonical(nestedVec(32)), nestedVec(32));
    assertRejects(nestedVec(33), "schema-too-large", 4 * 32);
  });

  it("parseSchema() counts every tuple, struct, Option and Result as a level", () => {
    const mixed = (levels: number): string => {
      const wrappers = [
        (t: string) => `(${t},)`,
        (t: string) => `{a: ${t}}`,
        (t: string) => `Option<${t}>`,
        (t: string) => `Result<${t}, u8>`,
      ];
      let text = "u8";
      for (let k = 0; k < levels; k++) text = wrappers[k % wrappers.length](text);
      return text;
    };
    assert.doesNotThrow(() => parseSchema(mixed(32)));
    assertRejects(mixed(33), "schema-too-large");
  });

  it("parseSchema() accepts 1024 slices and rejects 1025", () => {
    assert.equal(SCHEMA_LIMITS.maxSlices, 1024);
    const tuple = (n: number): string => `(${Array.from({ length: n }, () => "u8").join(",")})`;
    assert.equal(countSlices(parseSchema(tuple(1024)), "0.1"), 1024);
    assertRejects(tuple(1025), "schema-too-large");
  });

  it("parseSchema() checks the slice limit in the format it is given", () => {
    // Option<u8> is 5 slices in 0.1 and 4 in 0.12: 250 of them are 1250 / 1000 slices.
    const text = `(${Array.from({ length: 250 }, () => "Option<u8>").join(",")})`;
    assert.equal(countSlices(parseSchema(text, { format: "0.12" }), "0.12"), 1000);
    assert.throws(
      () => parseSchema(text),
      (e: unknown) => e instanceof SchemaError && e.rule === "schema-too-large",
    );
    assert.throws(
      () => parseSchema(text, { format: "0.1" }),
      (e: unknown) => e instanceof SchemaError && e.rule === "schema-too-large",
    );
  });
});

describe("formatSchema() canonical printing", () => {
  it("formatSchema() prints the examples of spec §3.3", () => {
    assert.equal(canonical(" ( String ,i64 , ) "), "(String, i64)");
    assert.equal(canonical("{ text:String,diff : i64 }"), "{text: String, diff: i64}");
    assert.equal(canonical("Result<u64,Vec< Option<u8> >>"), "Result<u64, Vec<Option<u8>>>");
    assert.equal(canonical("(u64 ,)"), "(u64,)");
  });

  it("formatSchema() keeps struct fields in declaration order", () => {
    assert.equal(canonical("{z: u8, a: u8, m: u8}"), "{z: u8, a: u8, m: u8}");
  });

  it("formatSchema() output parses back to the same text", () => {
    for (const text of [
      "(String, i64)",
      "{a: (u8,), b: Vec<(i8, bool)>}",
      "Option<Option<u8>>",
      "((u8, u16), u32)",
    ]) {
      assert.equal(canonical(canonical(text)), text);
    }
  });
});

describe("isLayoutEquivalent() (spec §3.2)", () => {
  const equivalent = (a: string, b: string): boolean => isLayoutEquivalent(parseSchema(a), parseSchema(b));

  it("isLayoutEquivalent() treats a struct as the tuple of its fields in declaration order", () => {
    assert.ok(equivalent("{text: String, diff: i64}", "(String, i64)"));
    assert.ok(!equivalent("{diff: i64, text: String}", "(String, i64)"));
    assert.ok(equivalent("{a: u8, b: i8}", "{x: u8, y: i8}"));
  });

  it("isLayoutEquivalent() treats a 1-tuple (and 1-field struct) as its element", () => {
    assert.ok(equivalent("(u64,)", "u64"));
    assert.ok(equivalent("{a: u64}", "u64"));
    assert.ok(equivalent("Vec<(String,)>", "Vec<String>"));
    assert.ok(equivalent("((u8,),)", "u8"));
  });

  it("isLayoutEquivalent() applies inside Vec, Option and Result", () => {
    assert.ok(equivalent("Option<{a: u8, b: String}>", "Option<(u8, String)>"));
    assert.ok(equivalent("Result<(u8,), {e: String}>", "Result<u8, String>"));
  });

  it("isLayoutEquivalent() does not flatten nested tuples", () => {
    assert.ok(!equivalent("((u8, u16), u32)", "(u8, u16, u32)"));
    assert.ok(!equivalent("(u8, (u16, u32))", "(u8, u16, u32)"));
  });

  it("isLayoutEquivalent() does not equate types that merely share bytes", () => {
    assert.ok(!equivalent("u64", "i64"));
    assert.ok(!equivalent("Vec<u8>", "String"));
  });
});
