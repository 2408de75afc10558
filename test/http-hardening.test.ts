import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, startServer, type TestServer } from './support/server.ts';

let s: TestServer;
before(async () => { s = await startServer({ worker: false }); });
after(async () => { await s.close(); });

const fieldId = '6f1c2b3a-4d5e-4f70-8192-a3b4c5d6e7f8';

async function signIn(path: string): Promise<Response> {
  return fetch(`${s.api}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ UserName: s.userName, Password: s.password }),
  });
}

describe('state changes only through their declared verbs', () => {
  test('GET on ImportReports and UpdateAdditionalField predefined routes: 405 with Allow, in every format', async () => {
    for (const fmt of ['json', 'xml', 'jsv', 'csv']) {
      const imp = await fetch(`${s.api}/${fmt}/reply/ImportReports?Filename=a.xml&FileBytes=AA==`, { headers: bearer(s.apiKey) });
      assert.equal(imp.status, 405, fmt);
      assert.equal(imp.headers.get('allow'), 'POST', fmt);
      assert.match(await imp.text(), /MethodNotAllowed/, fmt);
      const upd = await fetch(`${s.api}/${fmt}/reply/UpdateAdditionalField?FieldId=${fieldId}&Value=1`, { headers: bearer(s.apiKey) });
      assert.equal(upd.status, 405, fmt);
      assert.equal(upd.headers.get('allow'), 'PUT, POST', fmt);
    }
    const api = await fetch(`${s.api}/UpdateAdditionalField?FieldId=${fieldId}&Value=1`, { headers: bearer(s.apiKey) });
    assert.equal(api.status, 405);
    assert.equal((await api.json()).ResponseStatus.ErrorCode, 'MethodNotAllowed');
  });

  test('declared verbs and POST still reach the operation on predefined routes', async () => {
    const put = await fetch(`${s.api}/json/reply/UpdateAdditionalField`, {
      method: 'PUT', headers: { ...bearer(s.apiKey), 'content-type': 'application/json' }, body: JSON.stringify({ FieldId: fieldId, Value: '1' }),
    });
    assert.equal(put.status, 404);
    const post = await fetch(`${s.api}/json/reply/UpdateAdditionalField`, {
      method: 'POST', headers: { ...bearer(s.apiKey), 'content-type': 'application/json' }, body: JSON.stringify({ FieldId: fieldId, Value: '1' }),
    });
    assert.equal(post.status, 404);
    assert.equal((await fetch(`${s.api}/json/reply/GetForms`, { headers: bearer(s.apiKey) })).status, 200);
  });
});

describe('response headers', () => {
  test('sign-in and logout send each cookie once', async () => {
    const res = await signIn('/auth/credentials');
    assert.equal(res.status, 200);
    const names = res.headers.getSetCookie().map((c) => c.split('=')[0]);
    assert.deepEqual(names.sort(), ['ss-id', 'ss-opt', 'ss-pid']);
    const { SessionId } = await res.json();
    const out = await fetch(`${s.api}/auth/logout`, { method: 'POST', headers: { 'x-ss-id': SessionId } });
    assert.deepEqual(out.headers.getSetCookie().map((c) => c.split('=')[0]).sort(), ['ss-id', 'ss-opt', 'ss-pid']);
  });

  test('nosniff everywhere under /api; operation answers are not stored by caches', async () => {
    const forms = await fetch(`${s.api}/forms`, { headers: bearer(s.apiKey) });
    assert.equal(forms.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(forms.headers.get('cache-control'), 'no-store');
    const denied = await fetch(`${s.api}/forms`);
    assert.equal(denied.status, 401);
    assert.equal(denied.headers.get('x-content-type-options'), 'nosniff');
    const page = await fetch(`${s.api}/metadata`);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
  });
});
