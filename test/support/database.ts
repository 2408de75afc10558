/**
 * The database under test: SQLite files by default, PostgreSQL when TEST_STORE=postgres (a fresh
 * database per server or process, on the server at TEST_DATABASE_URL, dropped afterwards).
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pgTypes } from '../../src/store/postgres/postgres-store.ts';
import type { Store } from '../../src/store/store.ts';

const testStore: 'sqlite' | 'postgres' = process.env.TEST_STORE === 'postgres' ? 'postgres' : 'sqlite';
export const onPostgres = testStore === 'postgres';
export const postgresServerUrl = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase { url: string; drop(): Promise<void> }

/** A new empty database: a file in `dir` on SQLite (removed with the directory), or a new PostgreSQL database. */
export async function createTestDatabase(dir: string, name = 'coruson'): Promise<TestDatabase> {
  if (!onPostgres) return { url: join(dir, `${name}.db`), drop: async () => undefined };
  return createPostgresDatabase(postgresServerUrl, 'coruson_test');
}

/** A new database named `{prefix}_{random}` on the server at `serverUrl`, dropped (connections and all) by `drop`. */
export async function createPostgresDatabase(serverUrl: string, prefix: string): Promise<TestDatabase> {
  const db = `${prefix}_${randomBytes(6).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${db}`);
  const url = new URL(serverUrl);
  url.pathname = `/${db}`;
  return { url: url.toString(), drop: () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`) };
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: serverUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** Plain SQL on the database under test, for checks a test makes behind the service's back. `?` marks a parameter. */
export interface TestSql {
  all<T = Record<string, any>>(sql: string, ...params: unknown[]): Promise<T[]>;
  get<T = Record<string, any>>(sql: string, ...params: unknown[]): Promise<T | undefined>;
  run(sql: string, ...params: unknown[]): Promise<void>;
  /** runs a statement with foreign keys unchecked, to put the database into a state the service never makes */
  runUnchecked(sql: string, ...params: unknown[]): Promise<void>;
  close(): Promise<void>;
}

function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

function overPool(pool: pg.Pool, owned: boolean): TestSql {
  // an idle connection the server ended (a test cutting connections, a database dropped) is replaced on next use
  if (owned) pool.on('error', () => undefined);
  const all = async (sql: string, ...params: unknown[]) => (await pool.query(numbered(sql), params)).rows;
  return {
    all,
    get: async (sql, ...params) => (await all(sql, ...params))[0],
    run: async (sql, ...params) => void (await all(sql, ...params)),
    runUnchecked: async (sql, ...params) => {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        await c.query('SET LOCAL session_replication_role = replica');
        await c.query(numbered(sql), params);
        await c.query('COMMIT');
      } finally {
        c.release();
      }
    },
    close: async () => (owned ? pool.end() : undefined),
  };
}

function overSqlite(db: Database.Database, owned: boolean): TestSql {
  return {
    all: async (sql, ...params) => db.prepare(sql).all(...params) as any[],
    get: async (sql, ...params) => db.prepare(sql).get(...params) as any,
    run: async (sql, ...params) => void db.prepare(sql).run(...params),
    runUnchecked: async (sql, ...params) => {
      db.pragma('foreign_keys = OFF');
      try {
        db.prepare(sql).run(...params);
      } finally {
        db.pragma('foreign_keys = ON');
      }
    },
    close: async () => {
      if (owned) db.close();
    },
  };
}

/** SQL on the connection(s) of an open store. */
export function sqlOf(store: Store): TestSql {
  const inner = store as unknown as { db?: Database.Database; pool?: pg.Pool };
  return inner.pool ? overPool(inner.pool, false) : overSqlite(inner.db!, false);
}

/** SQL on a database by its DATABASE_URL, with a connection of its own. */
export function connectSql(databaseUrl: string): TestSql {
  return /^postgres(ql)?:/.test(databaseUrl)
    ? overPool(new pg.Pool({ connectionString: databaseUrl, max: 2, types: pgTypes }), true)
    : overSqlite(new Database(databaseUrl), true);
}
