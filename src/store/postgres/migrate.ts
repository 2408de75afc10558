import type pg from 'pg';
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
      const done = new Set((await c.query('SELECT version FROM schema_migrations')).rows.map((r) => r.version as number));
      for (const m of postgresMigrations) {
        if (done.has(m.version)) continue;
        await c.query('BEGIN');
        try {
          await c.query(m.sql);
          await c.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
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
