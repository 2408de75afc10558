import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateImportFile } from '../scripts/generate-file.ts';
import { startService, type ServiceProcess } from './support/process.ts';
import { createTestDatabase, sqlOf } from './support/database.ts';
import { bearer, startServer, type TestServer } from './support/server.ts';

const dir = mkdtempSync(join(tmpdir(), 'coruson-reqid-'));
const apiKey = 'ck_request_id_test_key_0123456789abcdef';
const services: ServiceProcess[] = [];
const servers: TestServer[] = [];
const databases: Array<{ drop(): Promise<void> }> = [];
after(async () => {
  for (const s of services) await s.stop('SIGKILL');
  for (const s of servers) await s.close();
  for (const d of databases) await d.drop();
  rmSync(dir, { recursive: true, force: true });
});

async function service(name: string, env: Record<string, string>): Promise<ServiceProcess> {
  const database = await createTestDatabase(dir, name);
  databases.push(database);
  const svc = await startService({ DATABASE_URL: database.url, CORUSON_ADMIN_API_KEY: apiKey, CORUSON_ADMIN_PASSWORD: 'request id password', LOG_LEVEL: 'info', ...env });
  services.push(svc);
  return svc;
}

const logLines = (svc: ServiceProcess) => svc.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));

test("a trusted proxy's X-Request-Id is echoed and found in the upload's lines and the worker's lines for its import", async () => {
  const svc = await service('trusted', { TRUST_PROXY: '127.0.0.1' });
  const requestId = 'lb-4f1c.77:a_b-9';
  const file = generateImportFile({ reports: 50, seed: 3 });
  const res = await fetch(`${svc.url}/api/reports/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'x-request-id': requestId },
    body: JSON.stringify({ Filename: 'ids.xml', FileBytes: file.toString('base64') }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(res.headers.get('x-request-id'), requestId);
  const { ImportId } = await res.json();
  const deadline = Date.now() + 30_000;
  let lines;
  do {
    await new Promise((r) => setTimeout(r, 50));
    lines = logLines(svc).filter((l) => l.reqId === requestId);
    assert.ok(Date.now() < deadline, `no worker line for the import:\n${svc.output()}`);
  } while (!lines.some((l) => l.msg === 'import reports created'));
  assert.ok(lines.some((l) => l.msg === 'import accepted' && l.importId === ImportId), 'the upload line');
  assert.ok(lines.some((l) => l.msg === 'import reports created' && l.importId === ImportId && l.component === 'import-worker'), 'the worker line');
  // ill-formed ids are replaced even from a trusted proxy
  const bad = await fetch(`${svc.url}/health/live`, { headers: { 'x-request-id': 'has spaces and / slashes' } });
  assert.match(bad.headers.get('x-request-id')!, /^[0-9a-f-]{36}$/);
  const long = await fetch(`${svc.url}/health/live`, { headers: { 'x-request-id': 'a'.repeat(129) } });
  assert.match(long.headers.get('x-request-id')!, /^[0-9a-f-]{36}$/);
});

test('without a trusted proxy the sent id is ignored and a generated one returned', async () => {
  const svc = await service('untrusted', {});
  const res = await fetch(`${svc.url}/api`, { headers: { 'x-request-id': 'chosen-by-client' } });
  const id = res.headers.get('x-request-id');
  assert.match(id!, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  const other = (await fetch(`${svc.url}/api`)).headers.get('x-request-id');
  assert.notEqual(other, id);
});

test("a 500 carries the request id in ResponseStatus.Meta, in JSON and in XML, and the error's log line has it", async () => {
  const s = await startServer({ worker: false });
  servers.push(s);
  await sqlOf(s.store).run('ALTER TABLE imports RENAME TO imports_gone');
  const res = await fetch(`${s.api}/reports/import/status/${crypto.randomUUID()}`, { headers: bearer(s.apiKey) });
  assert.equal(res.status, 500);
  const body = await res.json();
  assert.equal(body.ResponseStatus.Meta.RequestId, res.headers.get('x-request-id'));
  const xml = await fetch(`${s.api}/reports/import/status/${crypto.randomUUID()}`, { headers: { ...bearer(s.apiKey), accept: 'application/xml' } });
  assert.equal(xml.status, 500);
  const text = await xml.text();
  assert.match(text, new RegExp(`<Meta[^>]*>.*<d3p1:Value>${xml.headers.get("x-request-id")}</d3p1:Value>.*</Meta>`, "s"));
});
