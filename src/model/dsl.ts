/**
 * The vocabulary every operation is declared in. A declaration is plain data: the host derives
 * routing, binding, validation, serialisation and documentation from it, so nothing here may
 * import from outside `model/`.
 */

export type ScalarName = 'string' | 'int' | 'long' | 'bool' | 'decimal' | 'guid' | 'dateTime' | 'bytes';

interface TypeBase<T> {
  /** phantom: the TypeScript type a value of this type has at run time */
  readonly __value?: T;
}
export interface ScalarType<T = unknown> extends TypeBase<T> { readonly kind: 'scalar'; readonly name: ScalarName }
export interface EnumType<T extends string = string> extends TypeBase<T> { readonly kind: 'enum'; readonly decl: EnumDecl<T> }
export interface ListType<T = unknown> extends TypeBase<T[]> { readonly kind: 'list'; readonly of: TypeRef<T> }
export interface DictType<V = unknown> extends TypeBase<Record<string, V>> {
  readonly kind: 'dict';
  readonly key: ScalarType;
  readonly value: TypeRef<V>;
}
export interface RefType<T = unknown> extends TypeBase<T> { readonly kind: 'ref'; readonly dto: Dto<T> }
export type TypeRef<T = any> = ScalarType<T> | EnumType<any> | ListType<any> | DictType<any> | RefType<T>;

export type ValueOf<R> = R extends TypeBase<infer T> ? T : never;

export interface EnumDecl<T extends string = string> {
  readonly name: string;
  readonly values: readonly T[];
  readonly description?: string;
}

/** Where a member is documented as coming from (the "Parameter" column of the metadata pages). */
export type ParamIn = 'path' | 'query' | 'body' | 'form';

export interface Member<R extends TypeRef = TypeRef> {
  readonly type: R;
  readonly required?: boolean;
  /** for value types (int, bool, Guid, DateTime, enums): may be null, as `int?` in .NET; others always may */
  readonly nullable?: boolean;
  readonly description?: string;
  readonly in?: ParamIn;
  /** for strings: the longest value accepted */
  readonly maxLength?: number;
  /** for ints: the accepted range */
  readonly min?: number;
  readonly max?: number;
  /** applied when the request leaves the member out */
  readonly default?: ValueOf<R>;
}

export type Members = Record<string, Member>;

type RequiredKeys<M extends Members> = { [K in keyof M]: M[K] extends { required: true } ? K : never }[keyof M];
type OptionalKeys<M extends Members> = Exclude<keyof M, RequiredKeys<M>>;
export type ShapeOfMembers<M extends Members> =
  { [K in RequiredKeys<M>]: ValueOf<M[K]['type']> } & { [K in OptionalKeys<M>]?: ValueOf<M[K]['type']> | null };
type Flatten<T> = { [K in keyof T]: T[K] } & {};

export interface Dto<T = any, Name extends string = string> {
  readonly kind: 'dto';
  readonly name: Name;
  readonly base?: Dto;
  /** own members in data-member order */
  readonly members: Readonly<Members>;
  readonly description?: string;
  /** set on the instances of a generic class (`PagingRequestBase<ReportOrder>`): its type arguments */
  readonly genericArgs?: readonly TypeRef[];
  /** phantom: the TypeScript shape of an instance */
  readonly __shape?: T;
}
export type ShapeOf<D> = D extends Dto<infer T> ? T : never;

export function dto<const Name extends string, const M extends Members, B extends Dto = Dto<{}>>(
  name: Name,
  def: { base?: B; members: M; description?: string; genericArgs?: readonly TypeRef[] },
): Dto<Flatten<ShapeOf<B> & ShapeOfMembers<M>>, Name> {
  return { kind: 'dto', name, base: def.base, members: def.members, description: def.description, genericArgs: def.genericArgs };
}

/** The values of an enumeration declared with `enumeration`, as a string union. */
export type EnumValue<E> = E extends EnumDecl<infer T> ? T : never;

export function enumeration<const T extends string>(name: string, values: readonly T[], description?: string): EnumDecl<T> {
  return { name, values, description };
}

export function member<const R extends TypeRef, const O extends Omit<Member<R>, 'type'> = {}>(type: R, opts?: O): { type: R } & O {
  return { type, ...(opts as O) };
}

const scalar = <T>(name: ScalarName): ScalarType<T> => ({ kind: 'scalar', name });

/** Member types, named after the .NET types the original API declares. */
export const t = {
  string: scalar<string>('string'),
  int: scalar<number>('int'),
  long: scalar<number>('long'),
  bool: scalar<boolean>('bool'),
  decimal: scalar<number>('decimal'),
  /** lower-case dashed at run time */
  guid: scalar<string>('guid'),
  dateTime: scalar<Date>('dateTime'),
  bytes: scalar<Buffer>('bytes'),
  list: <T>(of: TypeRef<T>): ListType<T> => ({ kind: 'list', of }),
  dict: <V>(key: ScalarType, value: TypeRef<V>): DictType<V> => ({ kind: 'dict', key, value }),
  ref: <T>(d: Dto<T>): RefType<T> => ({ kind: 'ref', dto: d }),
  enum: <T extends string>(decl: EnumDecl<T>): EnumType<T> => ({ kind: 'enum', decl }),
};

export type Verb = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDecl {
  /** relative to the API base path, with `{Member}` variables: `/reports/import/status/{ImportId}` */
  readonly path: string;
  readonly verbs: readonly Verb[];
  readonly summary?: string;
}

export interface Operation<N extends string = string, Req = any, Res = any> {
  readonly name: N;
  readonly tag: string;
  readonly summary?: string;
  readonly notes?: string;
  readonly request: Dto<Req>;
  readonly response: Dto<Res>;
  readonly routes: readonly RouteDecl[];
  readonly requiresAuth: boolean;
}

export function operation<const N extends string, Req, Res>(def: {
  tag: string;
  summary?: string;
  notes?: string;
  request: Dto<Req, N>;
  response: Dto<Res>;
  routes: readonly RouteDecl[];
  requiresAuth: boolean;
}): Operation<N, Req, Res> {
  return { ...def, name: def.request.name };
}

export type RequestOf<O> = O extends Operation<string, infer Req, any> ? Req : never;
export type ResponseOf<O> = O extends Operation<string, any, infer Res> ? Res : never;

/** Members of a DTO with those of its base classes first, the order DataContract XML uses. */
export function allMembers(d: Dto): Array<[string, Member]> {
  const own = Object.entries(d.members);
  return d.base ? [...allMembers(d.base), ...own] : own;
}
