import type { Store } from './store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';

export class StoreConfigError extends Error {}

/** DATABASE_URL: a SQLite file path (or `sqlite:`/`file:` URL, or `:memory:`). */
export async function openStore(databaseUrl: string): Promise<Store> {
  if (/^postgres(ql)?:\/\//i.test(databaseUrl)) {
    throw new StoreConfigError('PostgreSQL is not supported by this version; set DATABASE_URL to a SQLite file path');
  }
  const file = databaseUrl.replace(/^(sqlite|file):(\/\/)?/i, '');
  if (!file) throw new StoreConfigError('DATABASE_URL names no SQLite file');
  return openSqliteStore(file);
}
