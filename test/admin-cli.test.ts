import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startService, type ServiceProcess } from './support/process.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

const run = promisify(execFile);

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'coruson-cli-'));
const services: ServiceProcess[] = [];
const databases: TestDatabase[] = [];
async function database(name: string): Promise<string> {
  const db = await createTestDatabase(dir, name);
  databases.push(db);
  return db.url;
}
after(async () => {
  for (const s of services) await s.stop('SIGKILL');
  for (const db of databases) await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

async function admin(db: string, ...args: string[]): Promise<{ code: number; out: string }> {
  return adminWithInput(db, undefined, ...args);
}

function adminWithInput(db: string, input: string | undefined, ...args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, ['--import', 'tsx', 'src/cli/admin.ts', ...args], {
      cwd: root, env: { ...process.env, DATABASE_URL: db },
    }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }));
    child.stdin!.end(input ?? '');
  });
}

test('first start of the built service (npm start) creates the organisation, admin and key, and prints them once', async () => {
  await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root });
  const db = await database('first');
  const svc = await startService({ DATABASE_URL: db }, { built: true });
  services.push(svc);
  const out = svc.output();
  const key = /API key:\s+(ck_\S+)/.exec(out)?.[1];
  const password = /Password:\s+(\S+)/.exec(out)?.[1];
  assert.ok(key && password, out);
  assert.match(out, /not shown again/);
  const res = await fetch(`${svc.url}/api/auth/credentials`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ UserName: 'admin', Password: password }),
  });
  assert.equal(res.status, 200);
  const probe = await fetch(`${svc.url}/api/reports/import/status/${crypto.randomUUID()}`, { headers: { authorization: `Bearer ${key}` } });
  assert.equal(probe.status, 404);
  // the built service runs its parser and worker threads from dist/
  const accepted = await fetch(`${svc.url}/api/reports/import`, {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ Filename: 'sample.xml', FileBytes: readFileSync(join(root, 'schema/sample-reports.xml')).toString('base64') }),
  });
  assert.equal(accepted.status, 200, await accepted.clone().text());
  const { ImportId } = await accepted.json();
  let status;
  do status = await (await fetch(`${svc.url}/api/reports/import/status/${ImportId}`, { headers: { authorization: `Bearer ${key}` } })).json();
  while (status.StatusDescription !== 'Completed');
  assert.ok(status.TotalReports > 0);
  assert.equal(Object.keys(status.ImportedReports).length, status.TotalReports);

  // a field updated through the API shows in the CLI's change history
  const auth = { authorization: `Bearer ${key}` };
  const fields = (await (await fetch(`${svc.url}/api/reports/fields?FieldType=TextBox&Take=1`, { headers: auth })).json()).ReportFields;
  const update = await fetch(`${svc.url}/api/reports/additionalFields/${fields[0].FieldId}`, {
    method: 'PUT', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ Value: 'Corrected by the safety office' }),
  });
  assert.equal(update.status, 200);
  const org = /Organisation:\s+(.+)/.exec(out)![1].trim();
  const history = await admin(db, 'field', 'history', '--org', org, fields[0].FieldId);
  assert.equal(history.code, 0, history.out);
  assert.match(history.out, /admin/);
  assert.ok(history.out.includes(fields[0].Value), history.out);
  assert.match(history.out, /Corrected by the safety office/);
  assert.match((await admin(db, 'field', 'history', '--org', org, crypto.randomUUID())).out, /No changes are recorded/);
  await svc.stop();

  // a second start finds users and prints nothing
  const again = await startService({ DATABASE_URL: db }, { built: true });
  services.push(again);
  assert.doesNotMatch(again.output(), /API key/);
  await again.stop();
});

test('first-start credentials can come from the environment', async () => {
  const svc = await startService({
    DATABASE_URL: await database('env'), CORUSON_ADMIN_USER: 'safety.admin', CORUSON_ADMIN_PASSWORD: 'from the env 1',
    CORUSON_ADMIN_API_KEY: 'ck_from_the_environment_0001', CORUSON_ORGANISATION: 'Acme Aviation',
  });
  services.push(svc);
  assert.match(svc.output(), /User name:\s+safety\.admin/);
  assert.match(svc.output(), /\(from CORUSON_ADMIN_API_KEY\)/);
  assert.doesNotMatch(svc.output(), /ck_from_the_environment_0001/);
  const res = await fetch(`${svc.url}/api/auth`, { headers: { authorization: `Basic ${Buffer.from('safety.admin:from the env 1').toString('base64')}` } });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).Meta.Organisation, 'Acme Aviation');
  await svc.stop();
});

test('bad configuration: a clear message and a non-zero exit', async () => {
  await assert.rejects(startService({ DATABASE_URL: join(dir, 'x.db'), PORT: 'eighty' }), /PORT must be an integer/);
  // nothing listens on port 1: the service says which database it could not reach, and stops
  await assert.rejects(startService({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/coruson' }),
    /exited with 1:[\s\S]*cannot use the PostgreSQL database at postgres:\/\/postgres@127\.0\.0\.1:1\/coruson: .*ECONNREFUSED/);
});

test('admin CLI: organisations, users, keys and forms', async () => {
  const db = await database('cli');
  let r = await admin(db, 'org', 'add', 'North Sea Ops');
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /Occurrence Report \(OCC\), Hazard Report \(HAZ\), Safety Observation \(OBS\)/);
  assert.equal((await admin(db, 'org', 'add', 'North Sea Ops')).code, 1, 'duplicate organisation refused');

  r = await admin(db, 'user', 'add', '--org', 'North Sea Ops', '--user', 'k.berg');
  assert.equal(r.code, 0, r.out);
  const password = /Password: (\S+)/.exec(r.out)![1];
  r = await admin(db, 'key', 'add', '--user', 'k.berg', '--label', 'ETL job');
  assert.equal(r.code, 0, r.out);
  const key = /^(ck_\S+)$/m.exec(r.out)![1];
  const keyId = /API key (\d+)/.exec(r.out)![1];

  r = await adminWithInput(db, 'typed on stdin 1\n', 'user', 'add', '--org', 'North Sea Ops', '--user', 'stdin.user', '--password-stdin');
  assert.equal(r.code, 0, r.out);
  assert.doesNotMatch(r.out, /typed on stdin/);

  r = await admin(db, 'form', 'add', '--org', 'North Sea Ops', '--name', 'Environmental Report', '--prefix', 'ENV');
  assert.equal(r.code, 0, r.out);
  assert.equal((await admin(db, 'form', 'add', '--org', 'North Sea Ops', '--name', 'Bad', '--prefix', 'lower')).code, 1);
  assert.equal((await admin(db, 'form', 'deactivate', '--org', 'North Sea Ops', '--name', 'Hazard Report')).code, 0);
  r = await admin(db, 'form', 'list', '--org', 'North Sea Ops');
  assert.match(r.out, /Environmental Report\s+ENV\s+Active/);
  assert.match(r.out, /Hazard Report\s+HAZ\s+Inactive/);
  assert.match((await admin(db, 'key', 'list')).out, /k\.berg\s+ETL job/);
  assert.match((await admin(db, 'user', 'list')).out, /k\.berg\s+North Sea Ops/);

  // what the CLI made works against the service: the new form numbers its reports, the inactive one is refused
  const svc = await startService({ DATABASE_URL: db });
  services.push(svc);
  const file = (form: string) => `<Reports xmlns="urn:coruson:reports:import:1"><Report><ReportId>${crypto.randomUUID()}</ReportId><FormName>${form}</FormName><Summary>Oil sheen near platform</Summary><RaisedBy>k.berg</RaisedBy><RaisedDate>2026-05-01T08:00:00Z</RaisedDate></Report></Reports>`;
  const post = (form: string) => fetch(`${svc.url}/api/reports/import`, {
    method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ Filename: 'a.xml', FileBytes: Buffer.from(file(form)).toString('base64') }),
  });
  const ok = await post('Environmental Report');
  assert.equal(ok.status, 200);
  const { ImportId } = await ok.json();
  let status;
  do status = await (await fetch(`${svc.url}/api/reports/import/status/${ImportId}`, { headers: { authorization: `Bearer ${key}` } })).json();
  while (status.StatusDescription !== 'Completed');
  assert.deepEqual(Object.values(status.ImportedReports), ['ENV-0001']);
  const refused = await post('Hazard Report');
  assert.equal(refused.status, 400);
  assert.equal((await refused.json()).ResponseStatus.Errors[0].ErrorCode, 'InactiveForm');
  const basic = await fetch(`${svc.url}/api/auth`, { headers: { authorization: `Basic ${Buffer.from(`k.berg:${password}`).toString('base64')}` } });
  assert.equal(basic.status, 200);
  const fromStdin = await fetch(`${svc.url}/api/auth`, { headers: { authorization: `Basic ${Buffer.from('stdin.user:typed on stdin 1').toString('base64')}` } });
  assert.equal(fromStdin.status, 200);

  assert.equal((await admin(db, 'key', 'revoke', keyId)).code, 0);
  assert.equal((await fetch(`${svc.url}/api/reports/import/status/${ImportId}`, { headers: { authorization: `Bearer ${key}` } })).status, 403);
  await svc.stop();

  r = await admin(db, 'nonsense', 'command');
  assert.equal(r.code, 1);
  assert.match(r.out, /Unknown command/);
  assert.equal((await admin(db, '--help')).code, 0);
});
