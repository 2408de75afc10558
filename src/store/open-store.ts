import type { Store } from './store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';

export class StoreConfigError extends Error {}

function sqliteFile(databaseUrl: string): string {
  return databaseUrl.replace(/^(sqlite|file):(\/\/)?/i, '');
}

/** An in-memory database lives in one connection, so nothing else (a worker thread) can share it. */
export function isInMemory(databaseUrl: string): boolean {
  return sqliteFile(databaseUrl) === ':memory:';
}

/** DATABASE_URL: a SQLite file path (or `sqlite:`/`file:` URL, or `:memory:`). */
export async function openStore(databaseUrl: string): Promise<Store> {
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    throw new StoreConfigError('PostgreSQL is not supported by this version; set DATABASE_URL to a SQLite file path');
  }
  const file = sqliteFile(databaseUrl);
  if (!file) throw new StoreConfigError('DATABASE_URL names no SQLite file');
  return openSqliteStore(file);
}
