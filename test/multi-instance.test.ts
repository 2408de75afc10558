import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateImportFile } from '../scripts/generate-file.ts';
import { startService, type ServiceProcess } from './support/process.ts';
import { connectSql, createTestDatabase, onPostgres, type TestDatabase, type TestSql } from './support/database.ts';

const skip = onPostgres ? false : 'several service processes share one database only on PostgreSQL (run with TEST_STORE=postgres)';

const dir = mkdtempSync(join(tmpdir(), 'coruson-multi-'));
const apiKey = 'ck_multi_instance_key_0123456789';
const password = 'multi instance password';
const auth = { authorization: `Bearer ${apiKey}` };
let database: TestDatabase | undefined;
let sql: TestSql;
let env: Record<string, string>;
const services: ServiceProcess[] = [];

before(async () => {
  if (!onPostgres) return;
  database = await createTestDatabase(dir);
  sql = connectSql(database.url);
  // a short lease: an import held by a killed process is taken over within seconds
  env = { DATABASE_URL: database.url, CORUSON_ADMIN_API_KEY: apiKey, CORUSON_ADMIN_PASSWORD: password, IMPORT_LEASE_SECONDS: '3' };
  // all three start together on the empty database: one migrates it and creates the administrator,
  // the others wait for the migration lock and find the administrator made
  services.push(...(await Promise.all([startService(env), startService(env), startService(env)])));
});
after(async () => {
  for (const s of services) await s.stop('SIGKILL');
  await sql?.close();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

const alive = () => services.filter((s) => s.child.exitCode === null && s.child.signalCode === null);

/** The running processes, with new ones started to replace those killed. */
async function running(n: number): Promise<ServiceProcess[]> {
  while (alive().length < n) services.push(await startService(env));
  return alive();
}

async function status(svc: ServiceProcess, importId: string): Promise<any> {
  const res = await fetch(`${svc.url}/api/reports/import/status/${importId}`, { headers: auth });
  assert.equal(res.status, 200);
  return res.json();
}

/** The service process whose worker holds the import's lease, if one does: lease owners name their pid. */
async function leaseHolder(importId: string): Promise<ServiceProcess | undefined> {
  const row = await sql.get<{ owner: string | null }>('SELECT lease_owner AS owner FROM imports WHERE import_id = ?', importId);
  const pid = Number(row?.owner?.split(':')[1]);
  return alive().find((s) => s.child.pid === pid);
}

test('three processes started together on an empty database: one of them created the administrator', { skip }, async () => {
  assert.equal(services.filter((s) => /First start: created/.test(s.output())).length, 1);
  assert.equal((await sql.get('SELECT count(*) AS n FROM users'))!.n, 1);
});

test('three processes on one database: an import sent to one, polled on another, its worker killed twice, completes once', { skip, timeout: 300_000 }, async (t) => {
  const reports = 30_000;
  const file = generateImportFile({ reports, seed: 21 });
  const [first, second] = services;
  const res = await fetch(`${first.url}/api/reports/import`, {
    method: 'POST', headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ Filename: 'big.xml', FileBytes: file.toString('base64') }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const { ImportId } = await res.json();
  // another process knows the import at once
  assert.equal((await status(second, ImportId)).TotalReports, reports);

  // kill whichever process works on the import, as soon as it has created some reports, then the next one
  const killedAt: number[] = [];
  for (let kills = 0; kills < 2; kills++) {
    const deadline = Date.now() + 60_000;
    for (;;) {
      assert.ok(Date.now() < deadline, 'no process took the import over');
      const row = await sql.get<{ created: number }>('SELECT imported_reports AS created FROM imports WHERE import_id = ?', ImportId);
      const holder = await leaseHolder(ImportId);
      if (holder && row!.created > (killedAt.at(-1) ?? 0) && row!.created < reports) {
        holder.child.kill('SIGKILL');
        await new Promise((r) => holder.child.once('exit', r));
        killedAt.push(row!.created);
        break;
      }
      if (row!.created === reports) break;
      await new Promise((r) => setTimeout(r, 2));
    }
  }
  assert.ok(killedAt.length >= 1, 'a worker was killed mid-import');
  t.diagnostic(`workers killed with ${killedAt.join(' and ')} of ${reports} reports created`);

  const survivor = alive()[0];
  assert.ok(survivor, 'a process is left');
  let st;
  const deadline = Date.now() + 120_000;
  do {
    st = await status(survivor, ImportId);
    assert.ok(Date.now() < deadline, `import did not complete: ${JSON.stringify(st).slice(0, 200)}`);
    await new Promise((r) => setTimeout(r, 50));
  } while (st.StatusDescription !== 'Completed');
  assert.equal(st.TotalReportsImported, reports);
  assert.equal(Object.keys(st.ImportedReports).length, reports);
  assert.equal(new Set(Object.values(st.ImportedReports)).size, reports, 'no number twice');

  const totals = await sql.get('SELECT count(*) AS n, count(DISTINCT report_id) AS ids, count(DISTINCT number) AS numbers FROM reports');
  assert.deepEqual(totals, { n: reports, ids: reports, numbers: reports }, `killed at ${killedAt.join(', ')} reports`);
  assert.equal((await sql.get('SELECT count(*) AS n FROM reports WHERE number IS NULL'))!.n, 0, 'none left waiting');
  const perForm = await sql.all<{ n: number; lo: number; hi: number }>('SELECT form_pk, count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM reports GROUP BY form_pk');
  assert.ok(perForm.length >= 2);
  for (const f of perForm) assert.deepEqual([f.lo, f.hi], [1, f.n], 'each form numbered 1..n without gaps');
  const counters = await sql.all<{ next: number; n: number }>(`SELECT f.next_seq AS next, count(r.id) AS n FROM forms f
    LEFT JOIN reports r ON r.form_pk = f.id GROUP BY f.id, f.next_seq`);
  for (const c of counters) assert.equal(c.next, c.n + 1, 'each form counter follows its last number');
  assert.equal((await sql.get('SELECT count(DISTINCT report_pk) AS n FROM report_fields'))!.n, reports, 'every report has its fields');
});

test('two files sent to two processes at once: both complete, numbers shared without gaps', { skip, timeout: 180_000 }, async () => {
  const [a, b] = await running(2);
  const before = await sql.all<{ form: number; next: number }>('SELECT id AS form, next_seq AS next FROM forms');
  const files = [31, 32].map((seed) => generateImportFile({ reports: 3000, seed }));
  const ids = await Promise.all([a, b].map(async (svc, i) => {
    const res = await fetch(`${svc.url}/api/reports/import`, {
      method: 'POST', headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ Filename: `part-${i}.xml`, FileBytes: files[i].toString('base64') }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()).ImportId as string;
  }));
  for (const [i, id] of ids.entries()) {
    const svc = i === 0 ? b : a;
    let st;
    do st = await status(svc, id);
    while (st.StatusDescription !== 'Completed' && st.StatusDescription !== 'Failed' && (await new Promise((r) => setTimeout(r, 50)), true));
    assert.equal(st.StatusDescription, 'Completed');
    assert.equal(st.TotalReportsImported, 3000);
  }
  const perForm = await sql.all<{ form: number; n: number; lo: number; hi: number }>(`SELECT form_pk AS form, count(*) AS n, min(seq) AS lo, max(seq) AS hi
    FROM reports WHERE import_pk IN (SELECT id FROM imports WHERE import_id = ANY(?)) GROUP BY form_pk`, ids);
  assert.equal(perForm.reduce((s, f) => s + f.n, 0), 6000);
  for (const f of perForm) {
    const next = before.find((x) => x.form === f.form)!.next;
    assert.deepEqual([f.lo, f.hi], [next, next + f.n - 1], 'the two imports continue each form without gaps or overlaps');
  }
});

test('a session made on one process is valid on the others; logging out on one ends it on all', { skip }, async () => {
  const [a, b] = await running(2);
  const signIn = await fetch(`${a.url}/api/auth/credentials`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ UserName: 'admin', Password: password }),
  });
  assert.equal(signIn.status, 200);
  const { SessionId } = await signIn.json();
  const me = await fetch(`${b.url}/api/auth`, { headers: { 'x-ss-id': SessionId } });
  assert.equal(me.status, 200);
  assert.equal((await me.json()).UserName, 'admin');
  assert.equal((await fetch(`${b.url}/api/auth/logout`, { method: 'POST', headers: { 'x-ss-id': SessionId } })).status, 200);
  assert.equal((await fetch(`${a.url}/api/auth`, { headers: { 'x-ss-id': SessionId } })).status, 401);
});

test('failed sign-ins are counted across processes: guesses spread over them are throttled as on one', { skip }, async () => {
  const [a, b] = await running(2);
  const attempt = (svc: ServiceProcess, pw: string) => fetch(`${svc.url}/api/auth/credentials`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ UserName: 'admin', Password: pw }),
  }).then((r) => r.status);
  for (let i = 0; i < 5; i++) assert.equal(await attempt(i % 2 ? a : b, `guess ${i}`), 401);
  assert.equal(await attempt(a, password), 429);
  assert.equal(await attempt(b, password), 429);
});
