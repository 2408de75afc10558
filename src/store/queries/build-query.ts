/**
 * The SQL of every paged query, written from its description and a request's plan. Each
 * constraint becomes a predicate an index can serve; statements differ only in which filters are
 * present, so a dialect can cache them by their text.
 */
import type { Lookup, PagedQuery, SortKey, TimeRange } from './paged-query.ts';
import { countedOnly, type Constraint, type QueryPlan } from './query-plan.ts';

export type Dialect = 'sqlite' | 'postgres';

/** Whole statements: the count of every match, and one page of them. */
export interface BuiltQuery {
  count: string;
  countParams: unknown[];
  page: string;
  pageParams: unknown[];
}

/** Collects parameters and writes their placeholders in the dialect's style. */
class Predicates {
  readonly params: unknown[] = [];
  readonly where: string[] = [];
  constructor(private readonly dialect: Dialect) {}

  param = (value: unknown): string => {
    // better-sqlite3 binds no booleans: SQLite stores them as 0 and 1
    this.params.push(typeof value === 'boolean' && this.dialect === 'sqlite' ? Number(value) : value);
    return this.dialect === 'sqlite' ? '?' : `$${this.params.length}`;
  };
  add(sql: string): void {
    this.where.push(sql);
  }
  /** Case-insensitive substring match. */
  contains(column: string, text: string): void {
    const pattern = `%${text.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    if (this.dialect === 'postgres') this.add(`${column} ILIKE ${this.param(pattern)} ESCAPE '\\'`);
    // SQLite's LIKE folds ASCII letters only; other text is compared through the Unicode lower-casing
    // the store registers as ulower()
    else if (/^[\x00-\x7f]*$/.test(text)) this.add(`${column} LIKE ${this.param(pattern)} ESCAPE '\\'`);
    else this.add(`instr(ulower(${column}), ${this.param(text.toLowerCase())}) > 0`);
  }
  inRange(column: string, range: TimeRange): void {
    if (range.from !== undefined) this.add(`${column} >= ${this.param(range.from)}`);
    if (range.to !== undefined) this.add(`${column} <= ${this.param(range.to)}`);
  }
  oneOf(column: string, values: readonly unknown[]): void {
    if (values.length === 0) this.add('1 = 0');
    else if (values.length === 1) this.add(`${column} = ${this.param(values[0])}`);
    else this.add(`${column} IN (${values.map((v) => this.param(v)).join(', ')})`);
  }
  constraint(c: Constraint): void {
    if (c.kind === 'in') this.oneOf(c.column, c.values);
    else if (c.kind === 'range') this.inRange(c.column, c.range);
    else if (c.kind === 'contains') this.contains(c.column, c.text);
    else this.add(c.render(this.param));
  }
  sql(): string {
    return this.where.length ? ` WHERE ${this.where.join(' AND ')}` : '';
  }
}

const uses = (alias: string, sql: string) => new RegExp(`(?<![\\w.])${alias}\\.`).test(sql);

/** The joins the statement's text refers to, in their described order. */
function joinsFor(q: PagedQuery, ...texts: string[]): string {
  const text = texts.join(' ');
  return Object.entries(q.joins ?? {}).filter(([alias]) => uses(alias, text)).map(([, join]) => ` ${join}`).join('');
}

function orderBy(q: PagedQuery, keys: readonly SortKey[]): string {
  const columns = (key: string) => q.order[key];
  const tieBreak = q.order.Default[0];
  const parts = keys.flatMap((k) => columns(k.key).map((c) => `${c}${k.desc ? ' DESC' : ''}`));
  // rows equal on every key would come back in any order, and pages would overlap
  if (!keys.some((k) => columns(k.key).includes(tieBreak))) parts.push(`${tieBreak}${keys[0]?.desc ? ' DESC' : ''}`);
  return ` ORDER BY ${parts.join(', ')}`;
}

const qualified = (q: PagedQuery, column: string) => (q.from.as ? `${q.from.as}.${column}` : column);
const unqualified = (q: PagedQuery, column: string) => (q.from.as && column.startsWith(`${q.from.as}.`) ? column.slice(q.from.as.length + 1) : column);
const fromTable = (q: PagedQuery) => (q.from.as ? `${q.from.table} ${q.from.as}` : q.from.table);

export interface BuildOptions {
  /** walk this index in order to find the page (see WalkInOrder) */
  walk?: string;
}

export function buildQuery(q: PagedQuery, input: { skip: number; take: number; order: readonly SortKey[] }, plan: QueryPlan, dialect: Dialect,
  opts: BuildOptions = {}): BuiltQuery {
  const p = new Predicates(dialect);
  for (const sql of q.visible ?? []) p.add(sql);
  for (const c of plan.constraints) p.constraint(c);
  const where = p.sql();
  const order = orderBy(q, input.order);
  const from = fromTable(q);
  const countParams = [...p.params];
  const limit = () => ` LIMIT ${p.param(input.take)} OFFSET ${p.param(input.skip)}`;
  const columns = Object.entries(q.rows.columns).map(([member, sql]) => `${sql} AS "${member}"`).join(', ');

  let count = `SELECT count(*) FROM ${from}${joinsFor(q, where)}${where}`;
  let counted = countParams;
  if (q.counts && countedOnly(q, plan)) {
    const c = new Predicates(dialect);
    const { as, table, sum } = q.counts;
    for (const k of plan.constraints) if (k.kind === 'in') c.oneOf(`${as}.${unqualified(q, k.column)}`, k.values);
    count = `SELECT coalesce(sum(${as}.${sum}), 0) FROM ${table} ${as}${c.sql()}`;
    counted = c.params;
  }

  let page: string;
  if (q.keysFirst) {
    const key = qualified(q, q.from.key);
    const walk = opts.walk ? ` INDEXED BY ${opts.walk}` : '';
    const keys = `SELECT ${key} FROM ${from}${walk}${joinsFor(q, where, order)}${where}${order}${limit()}`;
    page = `SELECT ${columns} FROM (${keys}) x JOIN ${from} ON ${key} = x.${q.from.key}${joinsFor(q, columns, order)}${order}`;
  } else {
    page = `SELECT ${columns} FROM ${from}${joinsFor(q, where, order, columns)}${where}${order}${limit()}`;
  }
  return { count, countParams: counted, page, pageParams: p.params };
}

/** The organisation's rows of a lookup. */
export function lookupStatement(lookup: Lookup, dialect: Dialect): string {
  const fields = Object.entries(lookup.fields).map(([field, column]) => `${column} AS "${field}"`).join(', ');
  return `SELECT ${fields} FROM ${lookup.table} WHERE ${lookup.organisation} = ${dialect === 'sqlite' ? '?' : '$1'}`;
}

/** Rows of the organisation per value of the walk's share column, from the counts table (SQLite: the only dialect that walks). */
export function shareStatement(q: PagedQuery): string | undefined {
  if (!q.counts || !q.walkInOrder) return undefined;
  const share = unqualified(q, q.walkInOrder.share);
  return `SELECT ${share} AS value, sum(${q.counts.sum}) AS n FROM ${q.counts.table} WHERE ${unqualified(q, q.organisation)} = ? GROUP BY ${share}`;
}
