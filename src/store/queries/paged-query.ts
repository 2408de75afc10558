/**
 * The vocabulary a paged query operation is described in: which storage column each request
 * member filters and how it matches, which columns each order key sorts by, and which column
 * fills each member of a result row. One builder (build-query.ts) and one handler serve every
 * description, so a new list operation is its declaration, its description and its indexes.
 */
import type { Dto, Operation, RequestOf, ResponseOf } from '../../model/dsl.ts';

/** Times are epoch milliseconds, both ends inclusive. */
export interface TimeRange { from?: number; to?: number }
export interface SortKey<K extends string = string> { key: K; desc: boolean }
export interface PageRequest { skip: number; take: number }
export interface Page<T> { total: number; rows: T[] }

/** `column = value`; `through` compares the column with the key a public id stands for. */
export interface ExactFilter {
  kind: 'exact';
  column: string;
  /** the value that means "no filter" (an enumeration's `All`) */
  any?: string;
  through?: { table: string; key: string; id: string };
}
/** A case-insensitive substring, beyond ASCII too. */
export interface ContainsFilter { kind: 'contains'; column: string }
/**
 * A `yyyy/MM/dd [HH:mm:ss]` date: its whole day, or at or after (`since`) or at or before (`until`)
 * it. Every time filter on one column applies at once, as one range.
 */
export interface TimeFilter { kind: 'time'; column: string; bound: 'day' | 'since' | 'until' }
/** A BooleanFilter member: `All` matches everything. */
export interface BooleanMatch { kind: 'boolean'; column: string }
/** Each enumeration value stands for a set of stored values (null: any). Sets on one column intersect. */
export interface SetFilter<V extends string = string> { kind: 'set'; column: string; values: Readonly<Record<V, readonly string[] | null>> }
/** Matched in memory against a lookup's rows, which then narrow the query to their keys. */
export interface RelatedFilter { kind: 'related'; lookup: string; field: string; match: 'exact' | 'contains' }
/**
 * A predicate of its own, from the value and the rows of the lookup it uses: undefined when the
 * value asks for nothing, else the predicate written with the dialect's placeholders.
 */
export interface CustomFilter {
  kind: 'custom';
  uses?: string;
  predicate(value: string, rows: readonly LookupRow[]): ((param: (value: unknown) => string) => string) | undefined;
}
export type Filter = ExactFilter | ContainsFilter | TimeFilter | BooleanMatch | SetFilter | RelatedFilter | CustomFilter;

type FilterOn<V> = [V] extends [string] ? Exclude<Filter, SetFilter> | SetFilter<V> : ExactFilter;

export type LookupRow = Record<string, unknown>;
/**
 * A small table of the organisation read whole (its forms): filters on it are resolved in memory,
 * so the query itself filters on `narrows`, a key column its indexes begin with, which stands for
 * the organisation too.
 */
export interface Lookup {
  table: string;
  organisation: string;
  /** row field → column */
  fields: Record<string, string>;
  /** the key field of a row, and the query's column holding it */
  key: string;
  narrows: string;
}

/** Counts kept per value of a few columns, summed instead of counting rows when only they are filtered. */
export interface CountsTable { table: string; as: string; sum: string; by: readonly string[] }

/**
 * A set filter on `share` in the default order can be answered by walking `index` (the
 * organisation's rows in order) and keeping the matching ones: sooner than sorting them all when
 * they are a good share of the rows. Only SQLite takes the hint; it has no statistics to choose by.
 */
export interface WalkInOrder { index: string; share: string; atLeast: number }

type PagingMember = 'Skip' | 'Take' | 'OrderBy' | 'OrderByDesc' | 'ThenBy' | 'ThenByDesc' | 'Version';
export type FilterMember<O> = Exclude<keyof RequestOf<O>, PagingMember> & string;
export type OrderKey<O> = RequestOf<O> extends { OrderBy?: infer K } ? NonNullable<K> & string : never;
export type ListMember<O> = Exclude<{ [K in keyof ResponseOf<O>]-?: NonNullable<ResponseOf<O>[K]> extends readonly unknown[] ? K : never }[keyof ResponseOf<O>], 'Links'> & string;
export type RowOf<O, L extends keyof ResponseOf<O>> = NonNullable<ResponseOf<O>[L]> extends ReadonlyArray<infer R> ? R : never;

/** What a description says about storage, whatever its operation. */
interface StorageParts {
  /** the main table; `key` is its unique row id */
  from: { table: string; as?: string; key: string };
  /** joined where a statement uses their alias, in this order */
  joins?: Readonly<Record<string, string>>;
  /** predicates every statement has: what a row must be to be seen at all */
  visible?: readonly string[];
  organisation: string;
  lookups?: Readonly<Record<string, Lookup>>;
  /** find the page's keys on the indexes first, then read only those rows whole */
  keysFirst?: boolean;
  counts?: CountsTable;
  walkInOrder?: WalkInOrder;
}

export interface PagedQueryDef<O extends Operation, L extends ListMember<O>> extends StorageParts {
  /** in the order their predicates are written */
  filters: { [M in FilterMember<O>]: FilterOn<NonNullable<RequestOf<O>[M]>> };
  /** `Default` is one unique column: it breaks every tie, so pages never overlap */
  order: { readonly [K in OrderKey<O>]: readonly string[] };
  /** the response's list member, each of its row's members from a column */
  rows: { member: L; columns: { readonly [K in keyof RowOf<O, L> & string]-?: string } };
}

export interface PagedQuery<O extends Operation = Operation, L extends string = string> extends StorageParts {
  operation: O;
  filters: Readonly<Record<string, Filter>>;
  order: Readonly<Record<string, readonly string[]>> & { Default: readonly string[] };
  rows: { member: L; columns: Readonly<Record<string, string>>; dto: Dto };
}

/** A description checked against its operation: every filter member described, no other. */
export function pagedQuery<O extends Operation, const L extends ListMember<O>>(operation: O, def: PagedQueryDef<O, L>): PagedQuery<O, L> {
  const request = operation.request;
  const own = Object.keys(request.members);
  const described = Object.keys(def.filters);
  const missing = own.filter((m) => !described.includes(m));
  const unknown = described.filter((m) => !own.includes(m));
  if (missing.length || unknown.length) throw new Error(`${operation.name}: filters not described: [${missing}], not members: [${unknown}]`);
  if ((def.order as Record<string, readonly string[]>).Default?.length !== 1) throw new Error(`${operation.name}: the Default order must be one unique column`);
  const list = operation.response.members[def.rows.member]?.type;
  if (list?.kind !== 'list' || list.of.kind !== 'ref') throw new Error(`${operation.name}: ${def.rows.member} is not a list of rows`);
  return { ...def, operation, rows: { ...def.rows, dto: list.of.dto } } as unknown as PagedQuery<O, L>;
}

export const exact = (column: string, opts: Omit<ExactFilter, 'kind' | 'column'> = {}): ExactFilter => ({ kind: 'exact', column, ...opts });
export const contains = (column: string): ContainsFilter => ({ kind: 'contains', column });
export const day = (column: string): TimeFilter => ({ kind: 'time', column, bound: 'day' });
export const since = (column: string): TimeFilter => ({ kind: 'time', column, bound: 'since' });
export const until = (column: string): TimeFilter => ({ kind: 'time', column, bound: 'until' });
export const booleanMatch = (column: string): BooleanMatch => ({ kind: 'boolean', column });
export const oneOf = <const V extends string>(column: string, values: Record<V, readonly string[] | null>): SetFilter<V> => ({ kind: 'set', column, values });
export const related = (lookup: string, field: string, match: RelatedFilter['match']): RelatedFilter => ({ kind: 'related', lookup, field, match });

/** A filter member's value as the builder takes it: a time filter's range, any other member's value. */
export type FilterValue = string | number | boolean | TimeRange;

/** What one request asks of a paged query. */
export interface QueryInput extends PageRequest {
  orgId: number;
  order: readonly SortKey[];
  /** the filter members given, each with its value; `All`, empty text and null are left out */
  values: Readonly<Partial<Record<string, FilterValue>>>;
}
