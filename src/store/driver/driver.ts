/**
 * The narrow seam between the store's logic and a database: a statement is written once, with `?`
 * placeholders; a unit of work is a generator that yields queries and receives their results, so
 * the same algorithm runs synchronously inside a SQLite transaction (where nothing else may run on
 * the connection meanwhile) and asynchronously on a PostgreSQL connection.
 */

/** A named statement. Its text uses `?` for each parameter, in order. */
export interface Stmt { readonly name: string; readonly text: string }

/** `all`: every row; `get`: the first row or undefined; `run`: the number of rows changed. */
export type QueryMode = 'all' | 'get' | 'run';

export interface Query { readonly stmt: Stmt; readonly params: readonly unknown[]; readonly mode: QueryMode }

/** A unit of work: yields each query, gets back its result. */
export type Work<T> = Generator<Query, T, unknown>;

export function* all<T>(stmt: Stmt, ...params: unknown[]): Work<T[]> {
  return (yield { stmt, params, mode: 'all' }) as T[];
}
export function* get<T>(stmt: Stmt, ...params: unknown[]): Work<T | undefined> {
  return (yield { stmt, params, mode: 'get' }) as T | undefined;
}
export function* run(stmt: Stmt, ...params: unknown[]): Work<number> {
  return (yield { stmt, params, mode: 'run' }) as number;
}

/** What differs in the text of the same statement between dialects. */
export interface DialectSql {
  /** `column` equals the parameter, letter case aside (SQLite columns are NOCASE; PostgreSQL indexes lower()) */
  sameText(column: string): string;
  /** the larger of two values */
  greatest(a: string, b: string): string;
  /** appended to a SELECT in a transaction: its rows of `alias` stay locked until the end (nothing where one writer at a time is the rule) */
  forUpdate(alias: string): string;
}

export interface SqlDriver {
  readonly sql: DialectSql;
  /** Runs `work` outside a transaction: each query on its own. */
  perform<T>(work: () => Work<T>): Promise<T>;
  /** Runs `work` in one transaction; it is retried only when nothing of it can have been applied. */
  transaction<T>(work: () => Work<T>): Promise<T>;
  /** A query that holds `key` until the transaction ends, across processes; none where one writer at a time is the rule. */
  lockKey?(key: string): Query;
}

/** Drives `work` with `execute` answering each query. */
export async function driveAsync<T>(work: Work<T>, execute: (q: Query) => Promise<unknown>): Promise<T> {
  let step = work.next();
  while (!step.done) step = work.next(await execute(step.value));
  return step.value;
}

export function driveSync<T>(work: Work<T>, execute: (q: Query) => unknown): T {
  let step = work.next();
  while (!step.done) step = work.next(execute(step.value));
  return step.value;
}

/** Declares a set of named statements from their texts. */
export function statements<const K extends string>(texts: Record<K, string>): Record<K, Stmt> {
  const out = {} as Record<K, Stmt>;
  for (const name in texts) out[name] = { name, text: texts[name] };
  return out;
}
