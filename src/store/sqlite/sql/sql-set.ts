import type Database from 'better-sqlite3';

/** Named statements: the SQL, or the SQL and how rows come back (`pluck`: the first column; `raw`: arrays). */
export type SqlSet = Record<string, string | { sql: string; pluck?: true; raw?: true }>;

export function prepareAll<S extends SqlSet>(db: Database.Database, set: S): { [K in keyof S]: Database.Statement } {
  const out = {} as { [K in keyof S]: Database.Statement };
  for (const key in set) {
    const entry = set[key];
    const stmt = db.prepare(typeof entry === 'string' ? entry : entry.sql);
    if (typeof entry !== 'string' && entry.pluck) stmt.pluck();
    if (typeof entry !== 'string' && entry.raw) stmt.raw();
    out[key] = stmt;
  }
  return out;
}
