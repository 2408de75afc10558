import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/open-store.ts';
import { checksumOf, MigrationDriftError, type Migration } from '../src/store/migration-ledger.ts';
import { sqliteMigrations } from '../src/store/sqlite/migrations.ts';
import { postgresMigrations } from '../src/store/postgres/migrations.ts';
import { startService } from './support/process.ts';
import { connectSql, createTestDatabase, onPostgres, type TestDatabase } from './support/database.ts';

const dir = mkdtempSync(join(tmpdir(), 'coruson-ledger-'));
const databases: TestDatabase[] = [];
after(async () => {
  for (const d of databases) await d.drop();
  rmSync(dir, { recursive: true, force: true });
});
const migrations = onPostgres ? postgresMigrations : sqliteMigrations;
let n = 0;
async function migrated(): Promise<TestDatabase> {
  const db = await createTestDatabase(dir, `ledger-${n++}`);
  databases.push(db);
  await (await openStore(db.url)).close();
  return db;
}

test('released schema steps are never edited: each keeps the checksum it was released with', () => {
  const released = JSON.parse(readFileSync(new URL('./fixtures/released-migrations.json', import.meta.url), 'utf8')) as Record<string, Record<string, string>>;
  for (const [dialect, steps] of [['sqlite', sqliteMigrations], ['postgres', postgresMigrations]] as const) {
    for (const m of steps as readonly Migration[]) {
      const pinned = released[dialect][m.version];
      assert.ok(pinned, `${dialect} step ${m.version} is new: once released, add its checksum ${checksumOf(m)} to test/fixtures/released-migrations.json`);
      assert.equal(checksumOf(m), pinned, `${dialect} step ${m.version} ('${m.name}') was edited after its release: put the change in a new step`);
    }
  }
});

test('each applied step is recorded with its checksum', async () => {
  const db = await migrated();
  const sql = connectSql(db.url);
  const rows = await sql.all<{ version: number; checksum: string }>('SELECT version, checksum FROM schema_migrations ORDER BY version');
  await sql.close();
  assert.deepEqual(rows, migrations.map((m) => ({ version: m.version, checksum: checksumOf(m) })));
});

test('a step whose text differs from the applied one refuses to start, naming it', async () => {
  const db = await migrated();
  const sql = connectSql(db.url);
  await sql.run('UPDATE schema_migrations SET checksum = ? WHERE version = 2', 'a'.repeat(64));
  await sql.close();
  await assert.rejects(openStore(db.url), (err: Error) => err instanceof MigrationDriftError && /schema step 2 \('.+'\) differs .* must never be edited/.test(err.message));
  // the service says so and exits, without serving
  await assert.rejects(startService({ DATABASE_URL: db.url, CORUSON_ADMIN_PASSWORD: 'ledger password' }),
    /service exited with 1:[\s\S]*coruson: schema step 2 .* differs/);
});

test('a database from a newer version, with a step this one does not have, refuses to start', async () => {
  const db = await migrated();
  const sql = connectSql(db.url);
  await sql.run('INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES (999, ?, 0, ?)', 'from the future', 'b'.repeat(64));
  await sql.close();
  await assert.rejects(openStore(db.url), /schema step 999, which this version of the service does not have/);
});

test('a database migrated before checksums were kept gets them recorded once, from the code', async () => {
  const db = await migrated();
  const sql = connectSql(db.url);
  await sql.run('ALTER TABLE schema_migrations DROP COLUMN checksum');
  await (await openStore(db.url)).close();
  const rows = await sql.all<{ checksum: string }>('SELECT checksum FROM schema_migrations ORDER BY version');
  await sql.close();
  assert.deepEqual(rows.map((r) => r.checksum), migrations.map(checksumOf));
});
