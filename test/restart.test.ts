import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateImportFile } from '../scripts/generate-file.ts';
import { importUntilNumbering, startService, type ServiceProcess } from './support/process.ts';
import { connectSql, createTestDatabase } from './support/database.ts';

const dir = mkdtempSync(join(tmpdir(), 'coruson-restart-'));
const apiKey = 'ck_restart_test_key_0123456789abcdef';
const database = await createTestDatabase(dir);
const env = { DATABASE_URL: database.url, CORUSON_ADMIN_API_KEY: apiKey, CORUSON_ADMIN_PASSWORD: 'restart password' };
let svc: ServiceProcess | undefined;
after(async () => {
  await svc?.stop('SIGKILL');
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

const auth = { authorization: `Bearer ${apiKey}` };

test('an import interrupted by SIGKILL resumes after a restart: every report exactly once, numbers without gaps', async () => {
  const reports = 20_000;
  const file = generateImportFile({ reports, seed: 7 });
  svc = await startService(env);
  // kill as soon as the worker has created some, but not all, of the reports
  const ImportId = await importUntilNumbering(svc.url, apiKey, file);
  await svc.stop('SIGKILL');

  const db = connectSql(env.DATABASE_URL);
  const atKill = (await db.get('SELECT count(*) AS n FROM reports WHERE number IS NOT NULL'))!.n;
  await db.close();
  assert.ok(atKill > 0 && atKill < reports, `killed mid-import (${atKill} of ${reports} created)`);

  svc = await startService(env);
  let status;
  const deadline = Date.now() + 120_000;
  do {
    status = await (await fetch(`${svc.url}/api/reports/import/status/${ImportId}`, { headers: auth })).json();
    assert.ok(Date.now() < deadline, 'import did not complete after the restart');
    await new Promise((r) => setTimeout(r, 50));
  } while (status.StatusDescription !== 'Completed');
  assert.equal(status.TotalReports, reports);
  assert.equal(status.TotalReportsImported, reports);
  assert.equal(Object.keys(status.ImportedReports).length, reports);
  await svc.stop();

  const check = connectSql(env.DATABASE_URL);
  const totals = await check.get('SELECT count(*) AS n, count(DISTINCT report_id) AS ids, count(DISTINCT number) AS numbers FROM reports');
  assert.equal((await check.get('SELECT count(*) AS n FROM reports WHERE number IS NULL'))!.n, 0, 'none left waiting');
  assert.deepEqual(totals, { n: reports, ids: reports, numbers: reports });
  const perForm = await check.all<{ n: number; lo: number; hi: number }>('SELECT form_pk, count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM reports GROUP BY form_pk');
  assert.ok(perForm.length >= 2);
  for (const f of perForm) assert.deepEqual([f.lo, f.hi], [1, f.n], 'each form numbered 1..n without gaps');
  const fields = (await check.get('SELECT count(DISTINCT report_pk) AS n FROM report_fields'))!.n;
  assert.equal(fields, reports, 'every report has its fields, none twice-created');
  await check.close();
});
