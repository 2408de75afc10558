import type { QueryConfig } from 'pg';

/** Named statements: each is prepared once per connection, under its name, the first time it runs. */
export type SqlSet = Record<string, string>;

export type Statements<S extends SqlSet> = { [K in keyof S]: (...values: unknown[]) => QueryConfig };

export function namedStatements<S extends SqlSet>(set: S): Statements<S> {
  const out = {} as Statements<S>;
  for (const name in set) {
    const text = set[name];
    out[name] = (...values: unknown[]) => ({ name, text, values });
  }
  return out;
}
