import type pg from 'pg';
import { checksumOf, planMigrations, type AppliedMigration } from '../migration-ledger.ts';
import { postgresMigrations } from './migrations.ts';

// any constant shared by every process of the service: it names the migration lock
const MIGRATION_LOCK = 0x436f7275;

/**
 * Applies the missing schema steps. Several processes may start at once: the first takes the
 * advisory lock and applies each step once; the others wait for it, then find nothing left to do.
 */
export async function migratePostgres(pool: pg.Pool): Promise<void> {
  const c = await pool.connect();
  let broken = false;
  // a connection cut while it holds the lock fails the query in flight; the 'error' it emits besides must be heard
  const onError = () => (broken = true);
  c.on('error', onError);
  try {
    await c.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await c.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)');
      await c.query('ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text');
      const applied = (await c.query<AppliedMigration>('SELECT version, checksum FROM schema_migrations')).rows;
      const { pending, unrecorded } = planMigrations(postgresMigrations, applied);
      for (const m of unrecorded) await c.query('UPDATE schema_migrations SET checksum = $1 WHERE version = $2', [checksumOf(m), m.version]);
      for (const m of pending) {
        await c.query('BEGIN');
        try {
          await c.query(m.sql);
          await c.query('INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES ($1, $2, $3, $4)', [m.version, m.name, Date.now(), checksumOf(m)]);
          await c.query('COMMIT');
        } catch (err) {
          await c.query('ROLLBACK');
          throw err;
        }
      }
    } finally {
      await c.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } catch (err) {
    broken = true;
    throw err;
  } finally {
    c.removeListener('error', onError);
    c.release(broken);
  }
}
