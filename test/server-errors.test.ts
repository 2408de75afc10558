import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, startServer, type TestServer } from './support/server.ts';
import { sqlOf } from './support/database.ts';

const servers: TestServer[] = [];
after(async () => { for (const s of servers) await s.close(); });

/** Breaks the store under a running server, so the next status request fails inside its handler. */
async function brokenServer(env: Record<string, string>): Promise<TestServer> {
  const s = await startServer({ worker: false, env });
  servers.push(s);
  await sqlOf(s.store).run('ALTER TABLE imports RENAME TO imports_gone');
  return s;
}

const probe = (s: TestServer) => fetch(`${s.api}/reports/import/status/${crypto.randomUUID()}`, { headers: bearer(s.apiKey) });

test('an unexpected fault is a 500 in the ResponseStatus shape, without a stack trace', async () => {
  const s = await brokenServer({});
  const res = await probe(s);
  assert.equal(res.status, 500);
  const body = await res.json();
  assert.equal(body.ResponseStatus.ErrorCode, 'InternalServerError');
  assert.equal(body.ResponseStatus.StackTrace, undefined);
  assert.doesNotMatch(JSON.stringify(body), /imports|sqlite|postgres|relation|\.ts:/i, 'no internals leak');
  // and the service is still up
  assert.equal((await fetch(`${s.api}`)).status, 200);
});

test('with DEBUG=1 the 500 carries the stack trace', async () => {
  const s = await brokenServer({ DEBUG: '1' });
  const body = await (await probe(s)).json();
  assert.equal(body.ResponseStatus.ErrorCode, 'InternalServerError');
  assert.match(body.ResponseStatus.StackTrace, /imports/);
});
