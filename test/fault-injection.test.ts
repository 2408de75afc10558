/**
 * An import interrupted at each of its stages (receiving the file, staging its reports, accepting
 * it, numbering it) by each fault a deployment meets: the database connections cut (PostgreSQL) or
 * the database locked by another process (SQLite), the service killed, the client gone or silent.
 * Every case ends the same way: every report of the file exactly once, every form numbered 1..n
 * without gaps, nothing left half-stored, and a service that answers.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generateImportFile } from '../scripts/generate-file.ts';
import { startService, type ServiceProcess } from './support/process.ts';
import { connectSql, createTestDatabase, onPostgres, type TestDatabase, type TestSql } from './support/database.ts';

type Stage = 'receiving' | 'staging' | 'accepting' | 'numbering';
type Fault = 'connections cut' | 'database locked' | 'service killed' | 'client cut' | 'client silent';

const reports = 12_000;
const file = generateImportFile({ reports, seed: 2026 });
const body = Buffer.from(JSON.stringify({ Filename: 'faults.xml', FileBytes: file.toString('base64') }));
// a file may spell a GUID in any of its forms; the store keeps one
const guidKey = (id: string) => id.replace(/[{}()-]/g, '').toLowerCase();
const fileIds = [...file.toString('utf8').matchAll(/<ReportId>([^<]+)<\/ReportId>/g)].map((m) => guidKey(m[1])).sort();
const apiKey = 'ck_fault_injection_key_0123456789abcdef';
const auth = { authorization: `Bearer ${apiKey}` };

const dir = mkdtempSync(join(tmpdir(), 'coruson-faults-'));
const services: ServiceProcess[] = [];
const databases: TestDatabase[] = [];
after(async () => {
  for (const s of services) await s.stop('SIGKILL');
  for (const d of databases) await d.drop();
  rmSync(dir, { recursive: true, force: true });
});

type Answer = { status: number; body: any } | { error: string };

/** An upload sent in two halves, so a fault can come while the service is still receiving it. */
function startUpload(url: string) {
  const half = Math.floor(body.length / 2);
  const req = request(`${url}/api/reports/import`, {
    method: 'POST', headers: { ...auth, 'content-type': 'application/json', 'content-length': body.length },
  });
  const answer = new Promise<Answer>((resolve) => {
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      res.on('error', (e) => resolve({ error: e.message }));
    });
    req.on('error', (e) => resolve({ error: e.message }));
  });
  req.write(body.subarray(0, half));
  return { sendRest: () => req.end(body.subarray(half)), cut: () => req.destroy(), answer };
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const stagedOfReceiving = `SELECT count(*) AS n FROM reports r JOIN imports i ON i.id = r.import_pk WHERE i.status = 'Receiving'`;

/** PostgreSQL only: a statement that sleeps, so the fault lands inside the stage's own statement. */
const slowStatements: Partial<Record<Stage, { table: string; statement: string }>> = {
  staging: { table: 'reports', statement: 'COPY reports' },
  accepting: { table: 'report_claims', statement: 'INSERT INTO report_claims' },
};

async function slowDown(sql: TestSql, stage: Stage): Promise<void> {
  const slow = slowStatements[stage];
  if (!onPostgres || !slow) return;
  await sql.run(`CREATE OR REPLACE FUNCTION slow_statement() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_sleep(0.5); RETURN NULL; END $$`);
  await sql.run(`CREATE TRIGGER slow_statement BEFORE INSERT ON ${slow.table} FOR EACH STATEMENT EXECUTE FUNCTION slow_statement()`);
}

async function speedUp(sql: TestSql, stage: Stage): Promise<void> {
  const slow = slowStatements[stage];
  if (onPostgres && slow) await sql.run(`DROP TRIGGER IF EXISTS slow_statement ON ${slow.table}`);
}

async function inStatement(sql: TestSql, prefix: string): Promise<boolean> {
  const rows = await sql.all(`SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
    AND state = 'active' AND query LIKE ?`, `${prefix}%`);
  return rows.length > 0;
}

/** Waits until the upload `up` to service `svc` is in `stage`; returns the ImportId when the client has it already. */
async function reach(stage: Stage, svc: ServiceProcess, sql: TestSql, up: ReturnType<typeof startUpload>): Promise<string | undefined> {
  if (stage === 'receiving') {
    await until('the upload to be in flight', async () => /^coruson_uploads_in_flight 1$/m.test(await (await fetch(`${svc.url}/metrics`)).text()));
    return undefined;
  }
  up.sendRest();
  if (stage === 'staging') {
    await until('staged reports', async () => (await sql.get(stagedOfReceiving))!.n > 0
      && (!onPostgres || (await inStatement(sql, slowStatements.staging!.statement))));
    return undefined;
  }
  if (stage === 'accepting') {
    if (onPostgres) await until('the acceptance', () => inStatement(sql, slowStatements.accepting!.statement));
    // SQLite accepts in one synchronous step right after the last batch: come as close to it as can be seen
    else await until('every report staged', async () => (await sql.get(stagedOfReceiving))!.n === reports
      || (await sql.get("SELECT count(*) AS n FROM imports WHERE status <> 'Receiving'"))!.n > 0);
    return undefined;
  }
  const answer = await up.answer;
  assert.ok('status' in answer && answer.status === 200, JSON.stringify(answer));
  const importId = answer.body.ImportId as string;
  await until('numbering to begin', async () => (await sql.get('SELECT imported_reports AS n FROM imports WHERE import_id = ?', importId))!.n > 0);
  return importId;
}

/** Another connection holds the write lock for `ms`, as a backup tool or a second writer would. */
function holdWriteLock(path: string, ms: number): Promise<void> {
  const db = new Database(path);
  db.exec('BEGIN IMMEDIATE');
  return new Promise((resolve) => setTimeout(() => {
    db.exec('ROLLBACK');
    db.close();
    resolve();
  }, ms));
}

/** What the interrupted upload's client is told, by stage and fault; `undefined` is either 200 or 503. */
function expectedAnswer(stage: Stage, fault: Fault): number | 'error' | undefined {
  if (stage === 'numbering') return 200;
  switch (fault) {
    case 'connections cut': return stage === 'receiving' ? 200 : 503;
    case 'database locked': return stage === 'receiving' ? 200 : stage === 'staging' ? 503 : undefined;
    case 'client silent': return 408;
    default: return 'error';
  }
}

/** How many of the file's reports a second upload finds already there, by stage and fault. */
function expectedDuplicates(stage: Stage, fault: Fault): number[] {
  // SQLite stages without waiting on anything: a client that hangs up in its last moments may go
  // unnoticed until its file is accepted, and its retry then finds every report there
  if (stage === 'staging' && fault === 'client cut' && !onPostgres) return [0, reports];
  if (stage !== 'accepting') return [0];
  if (fault === 'client cut') return onPostgres ? [reports] : [0, reports];
  if (fault === 'service killed') return onPostgres ? [0] : [0, reports];
  return [0, reports];
}

async function settle(sql: TestSql): Promise<void> {
  await until('every import to end and the staging to be swept', async () =>
    (await sql.get("SELECT count(*) AS n FROM imports WHERE status IN ('Receiving', 'Queued', 'Importing')"))!.n === 0
    && (await sql.get('SELECT count(*) AS n FROM reports WHERE number IS NULL'))!.n === 0, 90_000);
}

async function assertEveryReportOnce(sql: TestSql): Promise<void> {
  const stored = (await sql.all<{ id: string }>('SELECT report_id AS id FROM reports')).map((r) => guidKey(r.id)).sort();
  assert.equal(stored.length, reports, 'as many reports as the file has');
  assert.deepEqual(stored, fileIds, "exactly the file's reports, each once");
  const numbers = await sql.get('SELECT count(DISTINCT number) AS n FROM reports');
  assert.equal(numbers!.n, reports, 'every report its own number');
  const perForm = await sql.all<{ n: number; lo: number; hi: number }>('SELECT count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM reports GROUP BY form_pk');
  assert.ok(perForm.length >= 2);
  for (const f of perForm) assert.deepEqual([f.lo, f.hi], [1, f.n], 'each form numbered 1..n without gaps');
  assert.equal((await sql.get('SELECT count(DISTINCT report_pk) AS n FROM report_fields'))!.n, reports, 'every report has its fields');
  assert.equal((await sql.get('SELECT count(*) AS n FROM report_fields WHERE report_pk NOT IN (SELECT id FROM reports)'))!.n, 0, 'no fields of removed reports');
  assert.equal((await sql.get('SELECT count(*) AS n FROM report_claims'))!.n, reports, 'one claim per report, none left by a refused upload');
  const statuses = await sql.all<{ status: string }>('SELECT DISTINCT status FROM imports');
  assert.deepEqual(statuses.map((s) => s.status), ['Completed']);
}

async function assertServing(svc: ServiceProcess): Promise<void> {
  assert.equal(svc.child.exitCode, null, `the service is still running:\n${svc.output()}`);
  const ready = await fetch(`${svc.url}/health/ready`);
  assert.equal(ready.status, 200, await ready.text());
  assert.doesNotMatch(svc.output(), /Unhandled|uncaught/i);
}

async function runCase(stage: Stage, fault: Fault): Promise<void> {
  const database = await createTestDatabase(dir, `${stage}-${fault.replace(/\W+/g, '-')}`);
  databases.push(database);
  const env = {
    DATABASE_URL: database.url, CORUSON_ADMIN_API_KEY: apiKey, CORUSON_ADMIN_PASSWORD: 'fault injection password',
    IMPORT_LEASE_SECONDS: '2', IMPORT_SWEEP_SECONDS: '1', BODY_IDLE_TIMEOUT_SECONDS: '1',
  };
  const started = async () => {
    const s = await startService(env);
    services.push(s);
    return s;
  };
  const first = await started();
  // on PostgreSQL a second instance lives through the kill: it must sweep and finish the first one's work
  const survivor = fault === 'service killed' && onPostgres ? await started() : first;
  const sql = connectSql(database.url);
  try {
    await slowDown(sql, stage);
    const up = startUpload(first.url);
    const known = await reach(stage, first, sql, up);
    let lock: Promise<void> | undefined;
    switch (fault) {
      case 'connections cut':
        assert.ok((await sql.all(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()`)).length >= 1);
        break;
      case 'database locked':
        lock = holdWriteLock(database.url, stage === 'receiving' ? 1000 : 6000);
        break;
      case 'service killed':
        await first.stop('SIGKILL');
        if (stage === 'staging') {
          const staged = (await sql.get(stagedOfReceiving))!.n;
          assert.ok(staged > 0 && staged < reports, `killed while staging (${staged} of ${reports} staged)`);
        }
        break;
      case 'client cut':
        up.cut();
        break;
      case 'client silent':
        break;
    }
    if (stage === 'receiving' && (fault === 'connections cut' || fault === 'database locked')) up.sendRest();
    await speedUp(sql, stage);
    const answer = await up.answer;
    const expected = expectedAnswer(stage, fault);
    if (expected === 'error') assert.ok('error' in answer, `the client saw the connection end: ${JSON.stringify(answer)}`);
    else if (expected === undefined) assert.ok('status' in answer && (answer.status === 200 || answer.status === 503), JSON.stringify(answer));
    else assert.ok('status' in answer && answer.status === expected, JSON.stringify(answer));
    if ('status' in answer && answer.status === 503) assert.equal(answer.body.ResponseStatus.ErrorCode, 'DatabaseUnavailable');
    if ('status' in answer && answer.status === 408) assert.equal(answer.body.ResponseStatus.ErrorCode, 'RequestTimeout');
    await lock;

    let service = survivor;
    if (fault === 'service killed' && !onPostgres) service = await started();
    if (!known && !('status' in answer && answer.status === 200)) {
      // the client never learnt an ImportId: it sends the same file again
      const again = await fetch(`${service.url}/api/reports/import`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body });
      const result = await again.json();
      assert.equal(again.status, 200, JSON.stringify(result));
      assert.ok(expectedDuplicates(stage, fault).includes(result.DuplicateReports.length),
        `${result.DuplicateReports.length} of the reports were already there`);
    }
    await settle(sql);
    await assertEveryReportOnce(sql);
    await assertServing(service);
  } finally {
    await sql.close();
  }
}

const faults: Fault[] = onPostgres
  ? ['connections cut', 'service killed', 'client cut', 'client silent']
  : ['database locked', 'service killed', 'client cut', 'client silent'];
const stagesOf = (fault: Fault): Stage[] =>
  fault === 'client silent' ? ['receiving'] : fault === 'client cut' ? ['receiving', 'staging', 'accepting'] : ['receiving', 'staging', 'accepting', 'numbering'];

for (const fault of faults) {
  describe(`fault: ${fault}`, () => {
    for (const stage of stagesOf(fault)) {
      test(`while ${stage}: every report once, numbered 1..n, the service up`, { timeout: 180_000 }, () => runCase(stage, fault));
    }
  });
}
