import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateImportFile } from '../scripts/generate-file.ts';
import { openStore } from '../src/store/open-store.ts';
import { postgresMigrations } from '../src/store/postgres/migrations.ts';
import { bearer, startServer, waitForImport, type TestServer } from './support/server.ts';
import { connectSql, createTestDatabase, onPostgres, type TestDatabase } from './support/database.ts';

const skip = onPostgres ? false : 'PostgreSQL faults: run with TEST_STORE=postgres';
const dir = mkdtempSync(join(tmpdir(), 'coruson-pg-faults-'));
const databases: TestDatabase[] = [];
const servers: TestServer[] = [];
after(async () => {
  for (const s of servers) await s.close();
  for (const db of databases) await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

test('two processes migrating a fresh database at once: each step applied once, both stores work', { skip }, async () => {
  const db = await createTestDatabase(dir);
  databases.push(db);
  const stores = await Promise.all([openStore(db.url), openStore(db.url), openStore(db.url)]);
  try {
    const sql = connectSql(db.url);
    const applied = await sql.all<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
    await sql.close();
    assert.deepEqual(applied.map((m) => m.version), postgresMigrations.map((m) => m.version));
    const org = await stores[0].createOrganisation('Shared', Date.now());
    assert.deepEqual(await stores[2].findOrganisation('shared'), org);
  } finally {
    for (const s of stores) await s.close();
  }
});

test('the connections are cut in the middle of an import: the batch is retried and the import completes, every report once', { skip, timeout: 120_000 }, async () => {
  const s = await startServer();
  servers.push(s);
  const reports = 8000;
  const res = await fetch(`${s.api}/reports/import`, {
    method: 'POST', headers: { ...bearer(s.apiKey), 'content-type': 'application/json' },
    body: JSON.stringify({ Filename: 'cut.xml', FileBytes: generateImportFile({ reports, seed: 41 }).toString('base64') }),
  });
  assert.equal(res.status, 200);
  const { ImportId } = await res.json();
  const sql = connectSql(s.databaseUrl);
  try {
    let cutAt = 0;
    for (;;) {
      const row = await sql.get<{ created: number }>('SELECT imported_reports AS created FROM imports WHERE import_id = ?', ImportId);
      if (row!.created > 0) {
        // every other connection to the database, the worker's among them, as a server restart would
        const cut = await sql.all(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()`);
        assert.ok(cut.length >= 1);
        cutAt = row!.created;
        break;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    const status = await waitForImport(s, ImportId);
    assert.ok(cutAt < reports, `cut mid-import (at ${cutAt} of ${reports})`);
    assert.equal(status.StatusDescription, 'Completed');
    assert.equal(status.TotalReportsImported, reports);
    const totals = await sql.get('SELECT count(*) AS n, count(DISTINCT report_id) AS ids, count(DISTINCT number) AS numbers FROM reports');
    assert.deepEqual(totals, { n: reports, ids: reports, numbers: reports });
    const perForm = await sql.all<{ n: number; lo: number; hi: number }>('SELECT count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM reports GROUP BY form_pk');
    for (const f of perForm) assert.deepEqual([f.lo, f.hi], [1, f.n]);
  } finally {
    await sql.close();
  }
});

test('the database gone for longer than the retries: the import ends Failed with the reason, nothing half-created', { skip, timeout: 120_000 }, async () => {
  const s = await startServer({ worker: false });
  servers.push(s);
  const res = await fetch(`${s.api}/reports/import`, {
    method: 'POST', headers: { ...bearer(s.apiKey), 'content-type': 'application/json' },
    body: JSON.stringify({ Filename: 'gone.xml', FileBytes: generateImportFile({ reports: 500, seed: 42 }).toString('base64') }),
  });
  const { ImportId } = await res.json();
  const sql = connectSql(s.databaseUrl);
  try {
    // every batch fails as a lost connection would: the reports table cannot be written
    await sql.run(`CREATE OR REPLACE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'connection to the database lost' USING ERRCODE = '08006'; END $$`);
    await sql.run('CREATE TRIGGER refuse BEFORE UPDATE ON reports FOR EACH STATEMENT EXECUTE FUNCTION refuse()');
    s.app.worker.start();
    const status = await waitForImport(s, ImportId);
    assert.equal(status.StatusDescription, 'Failed');
    assert.equal(status.ResponseStatus.ErrorCode, 'ImportFailed');
    assert.match(status.ResponseStatus.Message, /3 failed attempts: connection to the database lost/);
    assert.equal(status.TotalReportsImported, 0);
    assert.equal((await sql.get('SELECT count(*) AS n FROM reports'))!.n, 0, 'nothing half-created');
    assert.equal((await sql.get('SELECT count(*) AS n FROM report_claims'))!.n, 0, 'its ids are free again');
  } finally {
    await sql.close();
  }
});
