import { Type, type TLiteral, type TUnion } from 'typebox';

/** A union of string literals, typed as their union (TypeBox types a mapped array as never). */
export function literals<T extends string>(values: readonly T[]): TUnion<[TLiteral<T>]> {
  return Type.Union(values.map((v) => Type.Literal(v))) as unknown as TUnion<[TLiteral<T>]>;
}
