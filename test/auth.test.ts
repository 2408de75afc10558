import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { basic, bearer, startServer, type TestServer } from './support/server.ts';
import { sqlOf } from './support/database.ts';
import { createApiKey, createOrganisation, createUser } from '../src/admin/provisioning.ts';

let s: TestServer;
before(async () => {
  s = await startServer({ worker: false, authPolicy: { userThreshold: 3, addressThreshold: 1000, maxBlockMs: 60_000 } });
});
after(async () => { await s.close(); });

const probe = () => `${s.api}/reports/import/status/6f1c2b3a-4d5e-4f70-8192-a3b4c5d6e7f8`;

function cookiesOf(res: Response): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(';');
    const eq = pair.indexOf('=');
    out.set(pair.slice(0, eq), decodeURIComponent(pair.slice(eq + 1)));
  }
  return out;
}

describe('authentication', () => {
  test('no credentials: 401 with WWW-Authenticate', async () => {
    const res = await fetch(probe());
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'credentials realm="/auth/credentials"');
    const body = await res.json();
    assert.equal(body.ResponseStatus.ErrorCode, 'Unauthorized');
    assert.equal(body.ResponseStatus.Message, 'Not Authenticated');
  });

  test('API key as Bearer and as Basic user with an empty password', async () => {
    assert.equal((await fetch(probe(), { headers: bearer(s.apiKey) })).status, 404);
    assert.equal((await fetch(probe(), { headers: basic(s.apiKey, '') })).status, 404);
  });

  test('unknown API key: 401; revoked key: 403', async () => {
    const res = await fetch(probe(), { headers: bearer('ck_not-a-real-key-at-all-000000') });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).ResponseStatus.Message, 'API Key does not exist');

    const { id, key } = await createApiKey(s.store, 'admin', 'to revoke');
    assert.equal((await fetch(probe(), { headers: bearer(key) })).status, 404);
    assert.equal(await s.store.revokeApiKey(id, Date.now()), true);
    const revoked = await fetch(probe(), { headers: bearer(key) });
    assert.equal(revoked.status, 403);
    assert.equal((await revoked.json()).ResponseStatus.Message, 'API Key has been cancelled');
  });

  test('keys are stored only as hashes', async () => {
    const { key } = await createApiKey(s.store, 'admin', 'hash check');
    const sql = sqlOf(s.store);
    const dump = JSON.stringify(await sql.all('SELECT * FROM api_keys')) + JSON.stringify(await sql.all('SELECT * FROM users'));
    assert.ok(!dump.includes(key));
    assert.ok(!dump.includes(s.password));
    assert.match(dump, /\$argon2id\$/);
  });

  test('Basic user:password', async () => {
    assert.equal((await fetch(probe(), { headers: basic(s.userName, s.password) })).status, 404);
    const wrong = await fetch(probe(), { headers: basic(s.userName, 'wrong password!') });
    assert.equal(wrong.status, 401);
    assert.equal((await wrong.json()).ResponseStatus.Message, 'Invalid Username or Password');
  });

  test('malformed Authorization header: 401 saying why', async () => {
    for (const h of ['Digest abc', 'Basic', 'Bearer ', 'Basic bm9jb2xvbg==']) {
      const res = await fetch(probe(), { headers: { authorization: h } });
      assert.equal(res.status, 401, h);
      assert.equal((await res.json()).ResponseStatus.ErrorCode, 'Unauthorized', h);
    }
  });

  test('credentials sign-in sets ss-id/ss-pid/ss-opt; the session works by cookie and X-ss-id; logout ends it', async () => {
    const res = await fetch(`${s.api}/auth/credentials`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ UserName: s.userName, Password: s.password }),
    });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.UserName, 'admin');
    assert.ok(body.SessionId.length >= 20);
    const cookies = cookiesOf(res);
    assert.equal(cookies.get('ss-id'), body.SessionId);
    assert.equal(cookies.get('ss-opt'), 'temp');
    assert.ok(cookies.has('ss-pid'));
    assert.ok(res.headers.getSetCookie().every((c) => /HttpOnly/.test(c)));

    assert.equal((await fetch(probe(), { headers: { cookie: `ss-id=${body.SessionId}` } })).status, 404);
    assert.equal((await fetch(probe(), { headers: { 'x-ss-id': body.SessionId } })).status, 404);
    const me = await fetch(`${s.api}/auth`, { headers: { 'x-ss-id': body.SessionId } });
    assert.equal((await me.json()).UserName, 'admin');

    const out = await fetch(`${s.api}/auth/logout`, { method: 'POST', headers: { 'x-ss-id': body.SessionId } });
    assert.equal(out.status, 200);
    assert.equal((await fetch(probe(), { headers: { 'x-ss-id': body.SessionId } })).status, 401);
  });

  test('RememberMe keys the session by ss-pid with ss-opt=perm', async () => {
    const res = await fetch(`${s.api}/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'credentials', UserName: s.userName, Password: s.password, RememberMe: true }),
    });
    assert.equal(res.status, 200);
    const cookies = cookiesOf(res);
    assert.equal(cookies.get('ss-opt'), 'perm');
    assert.equal((await fetch(probe(), { headers: { cookie: `ss-opt=perm; ss-pid=${cookies.get('ss-pid')}` } })).status, 404);
  });

  test('sign-in errors: missing fields 400, wrong password 401, GET refused, unknown provider 404', async () => {
    const missing = await fetch(`${s.api}/auth/credentials`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(missing.status, 400);
    const m = await missing.json();
    assert.deepEqual(m.ResponseStatus.Errors.map((e: { FieldName: string }) => e.FieldName), ['UserName', 'Password']);

    const wrong = await fetch(`${s.api}/auth/credentials`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ UserName: 'nobody', Password: 'whatever1' }),
    });
    assert.equal(wrong.status, 401);
    assert.equal((await wrong.json()).ResponseStatus.Message, 'Invalid Username or Password');

    const get = await fetch(`${s.api}/auth/credentials?UserName=admin&Password=x`);
    assert.equal(get.status, 405);
    const provider = await fetch(`${s.api}/auth/twitter`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    assert.equal(provider.status, 404);
  });

  test('repeated failed sign-ins are refused with 429 and Retry-After, even with the right password', async () => {
    await createUser(s.store, { organisation: s.organisation, userName: 'target', password: 'right password 1' });
    const attempt = (password: string) => fetch(`${s.api}/auth/credentials`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ UserName: 'target', Password: password }),
    });
    for (let i = 0; i < 3; i++) assert.equal((await attempt('guess ' + i)).status, 401);
    const blocked = await attempt('right password 1');
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.headers.get('retry-after')) >= 1);
    assert.equal((await blocked.json()).ResponseStatus.ErrorCode, 'TooManyRequests');
    // Basic auth is throttled the same way
    assert.equal((await fetch(probe(), { headers: basic('target', 'right password 1') })).status, 429);
  });

  test('a parallel burst of guesses is throttled like a sequence: only the first few are checked', async () => {
    await createUser(s.store, { organisation: s.organisation, userName: 'burst', password: 'right password 2' });
    const attempt = () => fetch(`${s.api}/auth/credentials`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ UserName: 'burst', Password: 'a guess' }),
    }).then((r) => r.status);
    const statuses = await Promise.all(Array.from({ length: 30 }, attempt));
    assert.equal(statuses.filter((x) => x === 401).length, 3, JSON.stringify(statuses));
    assert.equal(statuses.filter((x) => x === 429).length, 27);
  });

  test('a disabled user is refused at once, also when Basic credentials were just accepted', async () => {
    const u = await createUser(s.store, { organisation: s.organisation, userName: 'leaver', password: 'leaver password' });
    assert.equal((await fetch(probe(), { headers: basic('leaver', 'leaver password') })).status, 404);
    await s.store.setUserDisabled(u.userId, true);
    assert.equal((await fetch(probe(), { headers: basic('leaver', 'leaver password') })).status, 401);
  });

  test("another organisation's import id answers like one that does not exist", async () => {
    await createOrganisation(s.store, 'Other Shipping');
    await createUser(s.store, { organisation: 'Other Shipping', userName: 'other', password: 'other password' });
    const { key } = await createApiKey(s.store, 'other');
    const xml = `<Reports xmlns="urn:coruson:reports:import:1"><Report><ReportId>${crypto.randomUUID()}</ReportId><FormName>Occurrence Report</FormName><Summary>s</Summary><RaisedBy>x</RaisedBy><RaisedDate>2026-01-01T00:00:00Z</RaisedDate></Report></Reports>`;
    const res = await fetch(`${s.api}/reports/import`, {
      method: 'POST', headers: { ...bearer(key), 'content-type': 'application/json' },
      body: JSON.stringify({ Filename: 'a.xml', FileBytes: Buffer.from(xml).toString('base64') }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const { ImportId } = await res.json();
    assert.equal((await fetch(`${s.api}/reports/import/status/${ImportId}`, { headers: bearer(key) })).status, 200);
    const foreign = await fetch(`${s.api}/reports/import/status/${ImportId}`, { headers: bearer(s.apiKey) });
    assert.equal(foreign.status, 404);
    assert.equal((await foreign.json()).ResponseStatus.Message, `Import '${ImportId}' was not found`);
  });
});

describe('client address behind proxies', () => {
  test('TRUST_PROXY=1 takes the address the proxy saw, not one the client put in X-Forwarded-For', async () => {
    const p = await startServer({ worker: false, env: { TRUST_PROXY: '1' }, authPolicy: { userThreshold: 1000, addressThreshold: 2 } });
    try {
      const attempt = (forwarded: string) => fetch(`${p.api}/auth/credentials`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': forwarded },
        body: JSON.stringify({ UserName: 'nobody', Password: 'wrong password' }),
      }).then((r) => r.status);
      // the client forges a different first address each time; the proxy (one hop) appends the real one
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push(await attempt(`198.51.100.${i}, 203.0.113.7`));
      assert.deepEqual(statuses, [401, 401, 429, 429, 429]);
    } finally {
      await p.close();
    }
  });
});

describe('no lock-out of the owner', () => {
  test('failures for a user name from many addresses only slow its owner; the guessing pair is refused', async () => {
    const p = await startServer({ worker: false, env: { TRUST_PROXY: '1' }, authPolicy: { userThreshold: 3, userSlowdownThreshold: 3, userMaxDelayMs: 300, addressThreshold: 1000 } });
    try {
      await createUser(p.store, { organisation: p.organisation, userName: 'owner', password: 'owner password 1' });
      const attempt = (from: string, password: string) => fetch(`${p.api}/auth/credentials`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
        body: JSON.stringify({ UserName: 'owner', Password: password }),
      }).then((r) => r.status);
      const guesses = [];
      for (let i = 0; i < 12; i++) guesses.push(await attempt(`198.51.100.${i % 4}`, 'wrong ' + i));
      assert.deepEqual(guesses.slice(0, 8), Array(8).fill(401));
      assert.ok(guesses.slice(8).every((x) => x === 401 || x === 429));
      assert.equal(await attempt('198.51.100.0', 'owner password 1'), 429, 'the guessing address is refused');
      const started = Date.now();
      assert.equal(await attempt('203.0.113.9', 'owner password 1'), 200, 'the owner from their own address gets in');
      assert.ok(Date.now() - started < 2000);
    } finally {
      await p.close();
    }
  });
});
