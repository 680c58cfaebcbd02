// Row types from schema text, at compile time: `RowOf<"(String, i64)">` is `[string, number |
// string]`, the JSON mapping of spec/columnar-format.md §8 that decoded rows follow, and
// `RowInput<…>` what encodeBatch accepts for it. The grammar is §3.1's, parsed by template literal
// types; a schema that is not a literal, or that this parser cannot read, gives `unknown` (the
// runtime parser still checks it), so typing never refuses what the wire accepts.

type Whitespace = " " | "\t" | "\r" | "\n";
type TrimStart<S extends string> = S extends `${Whitespace}${infer R}` ? TrimStart<R> : S;

type Letter =
  | "a"
  | "b"
  | "c"
  | "d"
  | "e"
  | "f"
  | "g"
  | "h"
  | "i"
  | "j"
  | "k"
  | "l"
  | "m"
  | "n"
  | "o"
  | "p"
  | "q"
  | "r"
  | "s"
  | "t"
  | "u"
  | "v"
  | "w"
  | "x"
  | "y"
  | "z";
type IdentChar = Letter | Uppercase<Letter> | "_" | "0" | "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8" | "9";

/** [identifier, rest]: the longest run of identifier characters at the start of S. */
type ReadIdent<S extends string, Acc extends string = ""> = S extends `${infer C}${infer R}`
  ? C extends IdentChar
    ? ReadIdent<R, `${Acc}${C}`>
    : [Acc, S]
  : [Acc, S];

type Primitive =
  "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64" | "f32" | "f64" | "bool" | "String";

// The parsed schema, one node per type of the grammar.
interface PrimNode<K extends Primitive = Primitive> {
  readonly prim: K;
}
interface TupleNode<E extends readonly unknown[] = readonly unknown[]> {
  readonly tuple: E;
}
interface StructNode<
  F extends readonly (readonly [string, unknown])[] = readonly (readonly [string, unknown])[],
> {
  readonly struct: F;
}
interface VecNode<T = unknown> {
  readonly vec: T;
}
interface OptionNode<T = unknown> {
  readonly option: T;
}
interface ResultNode<O = unknown, E = unknown> {
  readonly ok: O;
  readonly err: E;
}

/** [node, rest] for the type at the start of S, or never. */
type ParseType<S extends string> =
  TrimStart<S> extends `(${infer R}`
    ? ParseTuple<R, []>
    : TrimStart<S> extends `{${infer R}`
      ? ParseStruct<R, []>
      : ReadIdent<TrimStart<S>> extends [infer Id extends string, infer R extends string]
        ? Id extends Primitive
          ? [PrimNode<Id>, R]
          : Id extends "Vec" | "Option"
            ? ParseOne<R, Id>
            : Id extends "Result"
              ? ParseResult<R>
              : never
        : never;

/** `<T>` after Vec or Option. */
type ParseOne<S extends string, Id extends "Vec" | "Option"> =
  TrimStart<S> extends `<${infer R}`
    ? ParseType<R> extends [infer T, infer R2 extends string]
      ? TrimStart<R2> extends `>${infer R3}`
        ? [Id extends "Vec" ? VecNode<T> : OptionNode<T>, R3]
        : never
      : never
    : never;

/** `<Ok, Err>` after Result. */
type ParseResult<S extends string> =
  TrimStart<S> extends `<${infer R}`
    ? ParseType<R> extends [infer O, infer R2 extends string]
      ? TrimStart<R2> extends `,${infer R3}`
        ? ParseType<R3> extends [infer E, infer R4 extends string]
          ? TrimStart<R4> extends `>${infer R5}`
            ? [ResultNode<O, E>, R5]
            : never
          : never
        : never
      : never
    : never;

/** Elements after `(`: a 1-tuple needs its comma, `(T)` is refused as §3.1 says. */
type ParseTuple<S extends string, Acc extends readonly unknown[]> =
  ParseType<S> extends [infer N, infer R extends string]
    ? TrimStart<R> extends `,${infer R2}`
      ? TrimStart<R2> extends `)${infer R3}`
        ? [TupleNode<[...Acc, N]>, R3]
        : ParseTuple<R2, [...Acc, N]>
      : TrimStart<R> extends `)${infer R3}`
        ? Acc extends readonly []
          ? never
          : [TupleNode<[...Acc, N]>, R3]
        : never
    : never;

/** Fields after `{`. */
type ParseStruct<S extends string, Acc extends readonly (readonly [string, unknown])[]> =
  ReadIdent<TrimStart<S>> extends [infer Name extends string, infer R extends string]
    ? Name extends ""
      ? never
      : TrimStart<R> extends `:${infer R2}`
        ? ParseType<R2> extends [infer N, infer R3 extends string]
          ? TrimStart<R3> extends `,${infer R4}`
            ? TrimStart<R4> extends `}${infer R5}`
              ? [StructNode<[...Acc, readonly [Name, N]]>, R5]
              : ParseStruct<R4, [...Acc, readonly [Name, N]]>
            : TrimStart<R3> extends `}${infer R5}`
              ? [StructNode<[...Acc, readonly [Name, N]]>, R5]
              : never
          : never
        : never
    : never;

/** The node of a whole schema text, or never. */
type ParseSchema<S extends string> =
  ParseType<S> extends [infer N, infer R extends string] ? (TrimStart<R> extends "" ? N : never) : never;

/** Non-finite floats, written as strings in JSON rows (§8). */
type NonFinite = "NaN" | "Infinity" | "-Infinity";

/** A decoded value of a primitive (§8 output). */
type PrimitiveOut<K> = K extends "u64" | "i64"
  ? number | string
  : K extends "f32" | "f64"
    ? number | NonFinite
    : K extends "bool"
      ? boolean
      : K extends "String"
        ? string
        : number;

/** A value encodeBatch takes for a primitive (§8 input; a bigint for any integer, too). */
type PrimitiveIn<K> = K extends "f32" | "f64"
  ? number | NonFinite
  : K extends "bool"
    ? boolean
    : K extends "String"
      ? string
      : number | string | bigint;

/** Row type of a node; `In` picks the input side. */
type RowOfNode<N, In extends boolean> =
  N extends PrimNode<infer K>
    ? In extends true
      ? PrimitiveIn<K>
      : PrimitiveOut<K>
    : N extends TupleNode<infer E>
      ? In extends true
        ? { readonly [I in keyof E]: RowOfNode<E[I], In> }
        : { -readonly [I in keyof E]: RowOfNode<E[I], In> }
      : N extends StructNode<infer F>
        ? { [P in F[number] as P[0]]: RowOfNode<P[1], In> }
        : N extends VecNode<infer T>
          ? In extends true
            ? readonly RowOfNode<T, In>[]
            : RowOfNode<T, In>[]
          : N extends OptionNode<infer T>
            ? // §8: an Option of an Option writes its Some as {"Some": v}, so the levels stay distinct
              (T extends OptionNode ? { Some: RowOfNode<T, In> } : RowOfNode<T, In>) | null
            : N extends ResultNode<infer O, infer E>
              ? { Ok: RowOfNode<O, In> } | { Err: RowOfNode<E, In> }
              : unknown;

type RowFor<S extends string, In extends boolean> = string extends S
  ? unknown
  : [ParseSchema<S>] extends [never]
    ? unknown
    : RowOfNode<ParseSchema<S>, In>;

/**
 * A decoded row of schema text `S`, as `rowsOf` and the JSON mapping give it:
 * `RowOf<"{text: String, diff: i64}">` is `{ text: string; diff: number | string }` (an i64 beyond
 * 2^53−1 is a decimal string). `unknown` when `S` is not a literal or not a schema.
 */
export type RowOf<S extends string> = RowFor<S, false>;

/** A row encodeBatch takes for schema text `S` (integers also as decimal strings or bigints). */
export type RowInput<S extends string> = RowFor<S, true>;
