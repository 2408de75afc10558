import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, startServer, type TestServer } from './support/server.ts';
import { pageSecurityPolicy } from '../src/host/metadata/html.ts';

let s: TestServer;
let cookie: string;
before(async () => {
  s = await startServer({ worker: false, env: { ALLOWED_ORIGINS: 'https://console.example.com' } });
  const res = await fetch(`${s.api}/auth/credentials`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ UserName: s.userName, Password: s.password }),
  });
  assert.equal(res.status, 200);
  cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
});
after(async () => { await s?.close(); });

const fieldId = '6f1c2b3a-4d5e-4f70-8192-a3b4c5d6e7f8';
const evil = 'https://evil.example';

function update(headers: Record<string, string>) {
  return fetch(`${s.api}/reports/additionalFields/${fieldId}`, {
    method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ Value: '1' }),
  });
}

describe('cookie-authenticated state changes from another site', () => {
  test('refused with 403 CrossSiteRequest by Sec-Fetch-Site or by Origin, before the operation runs', async () => {
    for (const headers of <Record<string, string>[]>[{ 'sec-fetch-site': 'cross-site', origin: evil }, { 'sec-fetch-site': 'same-site', origin: 'https://a.127.0.0.1' }, { origin: evil }, { origin: 'null' }]) {
      const res = await update({ cookie, ...headers });
      assert.equal(res.status, 403, JSON.stringify(headers));
      assert.equal((await res.json()).ResponseStatus.ErrorCode, 'CrossSiteRequest');
    }
    const imp = await fetch(`${s.api}/reports/import`, {
      method: 'POST', headers: { cookie, origin: evil, 'content-type': 'application/json' }, body: JSON.stringify({ Filename: 'a.xml', FileBytes: 'AA==' }),
    });
    assert.equal(imp.status, 403);
  });

  test('the same requests from this site, from an allowed origin or without browser headers reach the operation', async () => {
    const own = new URL(s.url).origin;
    for (const headers of <Record<string, string>[]>[{ 'sec-fetch-site': 'same-origin', origin: own }, { 'sec-fetch-site': 'none' }, { origin: own }, {},
      { 'sec-fetch-site': 'cross-site', origin: 'https://console.example.com' }]) {
      const res = await update({ cookie, ...headers });
      assert.equal(res.status, 404, JSON.stringify(headers)); // the field does not exist: the operation ran
    }
  });

  test('an API key or an X-ss-id header is not a cookie: a form cannot send it, so it is not checked', async () => {
    assert.equal((await update({ ...bearer(s.apiKey), origin: evil, 'sec-fetch-site': 'cross-site' })).status, 404);
    const sessionId = /ss-id=([^;]+)/.exec(cookie)![1];
    assert.equal((await update({ 'x-ss-id': sessionId, origin: evil, 'sec-fetch-site': 'cross-site' })).status, 404);
  });

  test('reads stay open to links from anywhere; sign-in and SOAP from another site are refused', async () => {
    const read = await fetch(`${s.api}/forms`, { headers: { cookie, 'sec-fetch-site': 'cross-site' } });
    assert.equal(read.status, 200);
    const signIn = await fetch(`${s.api}/auth/credentials`, {
      method: 'POST', headers: { 'content-type': 'application/json', origin: evil, 'sec-fetch-site': 'cross-site' },
      body: JSON.stringify({ UserName: s.userName, Password: s.password }),
    });
    assert.equal(signIn.status, 403);
    assert.equal(signIn.headers.getSetCookie().length, 0);
    const soap = await fetch(`${s.api}/soap12`, {
      method: 'POST', headers: { cookie, origin: evil, 'content-type': 'application/soap+xml' },
      body: '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body/></soap:Envelope>',
    });
    assert.equal(soap.status === 403 || soap.headers.get('x-status') === '403', true);
    assert.match(await soap.text(), /CrossSiteRequest/);
  });
});

describe('HTML pages', () => {
  test('carry a Content-Security-Policy without unsafe-inline that forbids framing', async () => {
    for (const path of ['/metadata', '/json/metadata?op=GetReports', '/json/metadata?op=NoSuchOp']) {
      const res = await fetch(`${s.api}${path}`);
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.equal(csp, pageSecurityPolicy, path);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(csp, /unsafe-inline/);
      // the one inline stylesheet is the one the hash allows
      const body = await res.text();
      const style = /<style>([\s\S]*?)<\/style>/.exec(body)![1];
      const { createHash } = await import('node:crypto');
      assert.ok(csp.includes(`'sha256-${createHash('sha256').update(style).digest('base64')}'`), path);
    }
  });
});
