import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startServer, type TestServer } from './support/server.ts';
import { onPostgres, postgresServerUrl } from './support/database.ts';

let s: TestServer;
before(async () => {
  s = await startServer();
});
after(async () => {
  await s.close();
});

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: postgresServerUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

test('liveness answers without credentials, outside /api', async () => {
  const res = await fetch(`${s.url}/health/live`);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { Status: 'live' });
});

test('readiness is 200 with every check ok', async () => {
  const res = await fetch(`${s.url}/health/ready`);
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.deepEqual(body, { Status: 'ready', Failing: [], Checks: { database: 'ok', migrations: 'ok', importWorker: 'ok', shutdown: 'ok' } });
});

test('readiness is 503 naming the worker when it is not running', async () => {
  await s.app.worker.stop();
  try {
    const res = await fetch(`${s.url}/health/ready`);
    assert.equal(res.status, 503);
    assert.deepEqual((await res.json()).Failing, ['importWorker']);
  } finally {
    s.app.worker.start();
  }
});

test('readiness flips to 503 while PostgreSQL refuses the database and back to 200 when it allows it again', { skip: !onPostgres }, async () => {
  const db = new URL(s.databaseUrl).pathname.slice(1);
  await admin(`ALTER DATABASE ${db} ALLOW_CONNECTIONS false`);
  try {
    await admin(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${db}' AND pid <> pg_backend_pid()`);
    let res: Response | undefined;
    for (let i = 0; i < 40; i++) {
      res = await fetch(`${s.url}/health/ready`);
      if (res.status === 503) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(res!.status, 503);
    const body = await res!.json();
    assert.ok(body.Failing.includes('database'), JSON.stringify(body));
  } finally {
    await admin(`ALTER DATABASE ${db} ALLOW_CONNECTIONS true`);
  }
  let res: Response | undefined;
  for (let i = 0; i < 100; i++) {
    res = await fetch(`${s.url}/health/ready`);
    if (res.status === 200) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(res!.status, 200, await res!.text());
});
