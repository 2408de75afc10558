/** The driver over better-sqlite3: every query runs synchronously, so a transaction is one synchronous step. */
import type Database from 'better-sqlite3';
import { driveSync, type Query, type SqlDriver, type Stmt } from './driver.ts';

export function sqliteDriver(db: Database.Database): SqlDriver {
  const prepared = new Map<Stmt, Database.Statement>();
  const execute = (q: Query): unknown => {
    let s = prepared.get(q.stmt);
    if (!s) prepared.set(q.stmt, (s = db.prepare(q.stmt.text)));
    // SQLite has no boolean: it stores 0 and 1
    const params = q.params.map((p) => (typeof p === 'boolean' ? (p ? 1 : 0) : p));
    if (q.mode === 'all') return s.all(...params);
    if (q.mode === 'get') return s.get(...params);
    return s.run(...params).changes;
  };
  return {
    sql: { sameText: (column) => `${column} = ?`, greatest: (a, b) => `max(${a}, ${b})`, forUpdate: () => '' },
    perform: async (work) => driveSync(work(), execute),
    // BEGIN IMMEDIATE: the write lock first, so two processes never both read and then write
    transaction: async (work) => db.transaction(() => driveSync(work(), execute)).immediate(),
  };
}
