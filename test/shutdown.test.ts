import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateImportFile } from '../scripts/generate-file.ts';
import { importUntilNumbering, startService, type ServiceProcess } from './support/process.ts';
import { connectSql, createTestDatabase, onPostgres } from './support/database.ts';
import { bearer, startServer } from './support/server.ts';

const dir = mkdtempSync(join(tmpdir(), 'coruson-shutdown-'));
const apiKey = 'ck_shutdown_test_key_0123456789abcdef';
const database = await createTestDatabase(dir);
const graceSeconds = 15;
// a lease far longer than the test: the restarted instance resumes at once only if the stopping one let go
const env = { DATABASE_URL: database.url, CORUSON_ADMIN_API_KEY: apiKey, CORUSON_ADMIN_PASSWORD: 'shutdown password', SHUTDOWN_GRACE_SECONDS: String(graceSeconds), IMPORT_LEASE_SECONDS: '600' };
let svc: ServiceProcess | undefined;
after(async () => {
  await svc?.stop('SIGKILL');
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

const auth = { authorization: `Bearer ${apiKey}` };

test('SIGTERM mid-import exits 0 within the grace period; after a restart the import completes, every report once, numbers 1..n', async () => {
  const reports = 20_000;
  const file = generateImportFile({ reports, seed: 9 });
  svc = await startService(env);
  const ImportId = await importUntilNumbering(svc.url, apiKey, file);
  // an idle keep-alive connection must not hold the server open
  await fetch(`${svc.url}/health/live`, { keepalive: true });
  const signalled = Date.now();
  const code = await svc.stop('SIGTERM');
  const tookMs = Date.now() - signalled;
  assert.equal(code, 0, svc.output());
  assert.ok(tookMs < graceSeconds * 1000, `stopped in ${tookMs} ms`);

  const db = connectSql(env.DATABASE_URL);
  const atStop = (await db.get('SELECT count(*) AS n FROM reports WHERE number IS NOT NULL'))!.n;
  if (onPostgres) {
    const lease = await db.get('SELECT lease_owner AS owner FROM imports WHERE import_id = ?', ImportId);
    assert.equal(lease!.owner, null, 'the lease was released');
  }
  await db.close();
  assert.ok(atStop > 0 && atStop < reports, `stopped mid-import (${atStop} of ${reports} created)`);

  svc = await startService(env);
  let status;
  const deadline = Date.now() + 120_000;
  do {
    status = await (await fetch(`${svc.url}/api/reports/import/status/${ImportId}`, { headers: auth })).json();
    assert.ok(Date.now() < deadline, 'import did not complete after the restart');
    await new Promise((r) => setTimeout(r, 50));
  } while (status.StatusDescription !== 'Completed');
  assert.equal(status.TotalReportsImported, reports);
  assert.equal(await svc.stop(), 0);

  const check = connectSql(env.DATABASE_URL);
  const totals = await check.get('SELECT count(*) AS n, count(DISTINCT report_id) AS ids FROM reports');
  assert.deepEqual(totals, { n: reports, ids: reports });
  assert.equal((await check.get('SELECT count(*) AS n FROM reports WHERE number IS NULL'))!.n, 0);
  const perForm = await check.all<{ n: number; lo: number; hi: number }>('SELECT form_pk, count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM reports GROUP BY form_pk');
  for (const f of perForm) assert.deepEqual([f.lo, f.hi], [1, f.n], 'each form numbered 1..n without gaps');
  await check.close();
});

test('while shutting down, readiness is 503 and a new upload is refused with 503 and Retry-After in the ServiceStack shape', async () => {
  const s = await startServer();
  try {
    s.app.readiness.stopping = true;
    const ready = await fetch(`${s.url}/health/ready`);
    assert.equal(ready.status, 503);
    assert.deepEqual((await ready.json()).Failing, ['shutdown']);
    const res = await fetch(`${s.api}/reports/import`, {
      method: 'POST',
      headers: { ...bearer(s.apiKey), 'content-type': 'application/json' },
      body: JSON.stringify({ Filename: 'late.xml', FileBytes: generateImportFile({ reports: 5, seed: 1 }).toString('base64') }),
    });
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '5');
    const body = await res.json();
    assert.equal(body.ResponseStatus.ErrorCode, 'ServiceUnavailable');
    assert.match(body.ResponseStatus.Message, /shutting down/);
    // other requests are still answered
    assert.equal((await fetch(`${s.api}`)).status, 200);
  } finally {
    await s.close();
  }
});
