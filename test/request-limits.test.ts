import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { bearer, startServer, type TestServer } from './support/server.ts';

let s: TestServer;
before(async () => { s = await startServer({ worker: false, env: { MAX_CONCURRENT_IMPORTS: '1', MAX_REQUEST_KB: '64' } }); });
after(async () => { await s.close(); });

/** Starts a request and sends `first` of its body, leaving it open; resolves with the response if one comes early. */
function openUpload(path: string, headers: Record<string, string>, total: number, first: Buffer) {
  let respond!: (r: { status: number; body: string }) => void;
  const response = new Promise<{ status: number; body: string }>((r) => (respond = r));
  const req = request(`${s.url}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json', 'content-length': String(total) } }, (res) => {
    let body = '';
    res.on('data', (d) => (body += d));
    res.on('end', () => respond({ status: res.statusCode!, body }));
  });
  req.on('error', () => undefined);
  req.write(first);
  return { req, response };
}

test('an anonymous upload is refused with 401 before its body is read', async () => {
  const { req, response } = openUpload('/api/reports/import', {}, 50 * 1024 * 1024, Buffer.from('{"Filename":"a.xml","FileBytes":"'));
  const res = await response; // answered although the 50 MB body never comes
  assert.equal(res.status, 401);
  assert.equal(JSON.parse(res.body).ResponseStatus.ErrorCode, 'Unauthorized');
  req.destroy();
});

test('operations without a file take small bodies only: 413 past MAX_REQUEST_KB', async () => {
  const meta = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, 'v'.repeat(10)]));
  const res = await fetch(`${s.api}/auth/credentials`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ UserName: 'a', Password: 'b', Meta: meta }),
  });
  assert.equal(res.status, 413);
  assert.equal((await res.json()).ResponseStatus.ErrorCode, 'RequestEntityTooLarge');
});

test('uploads beyond MAX_CONCURRENT_IMPORTS get 503 with Retry-After; the slot frees when the first ends', async () => {
  const first = openUpload('/api/reports/import', bearer(s.apiKey), 10 * 1024 * 1024, Buffer.from('{"Filename":"a.xml","FileBytes":"'));
  await new Promise((r) => setTimeout(r, 200));
  const second = await fetch(`${s.api}/reports/import`, {
    method: 'POST', headers: { ...bearer(s.apiKey), 'content-type': 'application/json' }, body: '{"Filename":"b.xml","FileBytes":"PFJlcG9ydHMvPg=="}',
  });
  assert.equal(second.status, 503);
  assert.ok(second.headers.get('retry-after'));
  assert.equal((await second.json()).ResponseStatus.ErrorCode, 'ServiceUnavailable');
  first.req.destroy();
  await new Promise((r) => setTimeout(r, 200));
  const third = await fetch(`${s.api}/reports/import`, {
    method: 'POST', headers: { ...bearer(s.apiKey), 'content-type': 'application/json' }, body: '{"Filename":"b.xml","FileBytes":"PFJlcG9ydHMvPg=="}',
  });
  assert.equal(third.status, 400, 'the slot is free again (the file itself is refused: no Report)');
});
