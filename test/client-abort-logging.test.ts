import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateImportFile } from '../scripts/generate-file.ts';
import { startService, type ServiceProcess } from './support/process.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

const dir = mkdtempSync(join(tmpdir(), 'coruson-aborts-'));
const apiKey = 'ck_client_abort_key_0123456789abcdef';
let database: TestDatabase;
let svc: ServiceProcess;
before(async () => {
  database = await createTestDatabase(dir);
  svc = await startService({ DATABASE_URL: database.url, CORUSON_ADMIN_API_KEY: apiKey, CORUSON_ADMIN_PASSWORD: 'client abort password', LOG_LEVEL: 'info' });
});
after(async () => {
  await svc?.stop('SIGKILL');
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends `head` (and `body`), waits `ms` or for the first bytes of an answer, then hangs up. */
function hangUp(head: string, body: Buffer | string, opts: { afterMs?: number; onFirstByte?: boolean } = {}): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(Number(new URL(svc.url).port), '127.0.0.1', () => {
      socket.write(head);
      socket.write(body);
      if (opts.onFirstByte) socket.once('data', () => socket.destroy());
      else setTimeout(() => socket.destroy(), opts.afterMs ?? 200);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
}

const lines = () => svc.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number; msg: string; code?: string; err?: unknown });

test('clients that hang up are logged once at info as 499 ClientClosedRequest, never as an error with a stack', async () => {
  const auth = `Authorization: Bearer ${apiKey}\r\n`;
  // in the middle of a file upload
  await hangUp(`POST /api/reports/import HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n`, '{"Filename":"a.xml","FileBytes":"AAAA');
  // in the middle of a small body, before any credentials were checked
  await hangUp('POST /api/auth HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n', '{"UserName":"adm');
  // after the whole file, while it is checked and staged
  const file = Buffer.from(JSON.stringify({ Filename: 'b.xml', FileBytes: generateImportFile({ reports: 4000, seed: 3 }).toString('base64') }));
  await hangUp(`POST /api/reports/import HTTP/1.1\r\nHost: x\r\n${auth}Content-Type: application/json\r\nContent-Length: ${file.length}\r\n\r\n`, file, { afterMs: 50 });
  // while a large answer is being written
  await hangUp('GET /api/openapi.json HTTP/1.1\r\nHost: x\r\n\r\n', '', { onFirstByte: true });
  await hangUp(`GET /api/types/typescript HTTP/1.1\r\nHost: x\r\n\r\n`, '', { onFirstByte: true });

  const deadline = Date.now() + 20_000;
  while (lines().filter((l) => l.code === 'ClientClosedRequest').length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const logged = lines();
  const closed = logged.filter((l) => l.code === 'ClientClosedRequest');
  assert.equal(closed.length, 3, JSON.stringify(logged, null, 1));
  assert.ok(closed.every((l) => l.level === 30 && l.err === undefined));
  assert.match(closed[0].msg, /before its request body arrived/);
  assert.match(closed[2].msg, /before its file was accepted; nothing was imported/);
  assert.deepEqual(logged.filter((l) => l.level >= 40), [], 'nothing at warn or error');
  assert.equal((await fetch(`${svc.url}/health/ready`)).status, 200);
});
