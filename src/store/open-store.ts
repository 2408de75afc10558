import type { Store } from './store.ts';
import { openSqliteStore } from './sqlite/sqlite-store.ts';
import { openPostgresStore, type PostgresStoreOptions } from './postgres/postgres-store.ts';

export class StoreConfigError extends Error {}
export { StoreUnavailableError, redactUrl } from './postgres/postgres-store.ts';
export { MigrationDriftError } from './migration-ledger.ts';

function sqliteFile(databaseUrl: string): string {
  return databaseUrl.replace(/^(sqlite|file):(\/\/)?/i, '');
}

function isPostgres(databaseUrl: string): boolean {
  return /^postgres(ql)?:\/\//i.test(databaseUrl);
}

/** An in-memory database lives in one connection, so nothing else (a worker thread) can share it. */
/** DATABASE_URL: a `postgres://` URL, or a SQLite file path (or `sqlite:`/`file:` URL, or `:memory:`). */
export async function openStore(databaseUrl: string, options: PostgresStoreOptions = {}): Promise<Store> {
  if (isPostgres(databaseUrl)) return openPostgresStore(databaseUrl, options);
  const file = sqliteFile(databaseUrl);
  if (!file) throw new StoreConfigError('DATABASE_URL names no SQLite file');
  return openSqliteStore(file, options);
}
