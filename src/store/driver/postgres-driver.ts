/** The driver over node-postgres: `?` becomes `$n`, and each statement is prepared once per connection under its name. */
import type pg from 'pg';
import { driveAsync, type Query, type SqlDriver, type Stmt } from './driver.ts';

/** What the store gives the driver: its query (with its lost-connection handling) and its transaction. */
export interface PostgresConnection {
  query(config: pg.QueryConfig, on?: pg.PoolClient): Promise<pg.QueryResult>;
  tx<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T>;
}

const lockStmt: Stmt = { name: 'driver.lockKey', text: 'SELECT pg_advisory_xact_lock(hashtextextended(?, 0))' };

export function postgresDriver(conn: PostgresConnection): SqlDriver {
  const texts = new Map<Stmt, string>();
  const textOf = (stmt: Stmt) => {
    let text = texts.get(stmt);
    if (text === undefined) {
      let n = 0;
      texts.set(stmt, (text = stmt.text.replace(/\?/g, () => `$${++n}`)));
    }
    return text;
  };
  const executeOn = (c?: pg.PoolClient) => async (q: Query): Promise<unknown> => {
    const r = await conn.query({ name: q.stmt.name, text: textOf(q.stmt), values: q.params as unknown[] }, c);
    return q.mode === 'all' ? r.rows : q.mode === 'get' ? r.rows[0] : r.rowCount ?? 0;
  };
  const direct = executeOn();
  return {
    sql: { sameText: (column) => `lower(${column}) = lower(?)`, greatest: (a, b) => `greatest(${a}, ${b})`, forUpdate: (alias) => ` FOR UPDATE OF ${alias}` },
    perform: (work) => driveAsync(work(), direct),
    transaction: (work) => conn.tx((c) => driveAsync(work(), executeOn(c))),
    lockKey: (key) => ({ stmt: lockStmt, params: [key], mode: 'run' }),
  };
}
