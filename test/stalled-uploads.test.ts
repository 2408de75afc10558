import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { bearer, startServer, type TestServer } from './support/server.ts';
import { generateImportFile } from '../scripts/generate-file.ts';

/** An upload that sends its headers and a few bytes of body, then goes silent. */
function stall(s: TestServer): Promise<{ socket: Socket; answer: Promise<string> }> {
  return new Promise((resolve) => {
    const socket = connect(Number(new URL(s.url).port), '127.0.0.1', () => {
      socket.write(`POST /api/reports/import HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${s.apiKey}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"Filename":"a.xml","FileBytes":"');
      let text = '';
      const answer = new Promise<string>((done) => {
        socket.on('data', (d) => (text += d));
        socket.on('close', () => done(text));
      });
      socket.on('error', () => undefined);
      resolve({ socket, answer });
    });
  });
}

async function upload(s: TestServer, seed: number) {
  const res = await fetch(`${s.api}/reports/import`, {
    method: 'POST', headers: { ...bearer(s.apiKey), 'content-type': 'application/json' },
    body: JSON.stringify({ Filename: 'ok.xml', FileBytes: generateImportFile({ reports: 3, seed }).toString('base64') }),
  });
  return { status: res.status, body: await res.json() as any };
}

describe('stalled uploads', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ env: { BODY_IDLE_TIMEOUT_SECONDS: '1', MAX_CONCURRENT_IMPORTS: '4', MAX_CONCURRENT_IMPORTS_PER_CALLER: '4' } });
  });
  after(async () => { await s?.close(); });

  test('four silent uploads hold the slots only until the idle timeout: then 408, the socket closed, the slots free', async () => {
    const stalled = await Promise.all([0, 1, 2, 3].map(() => stall(s)));
    await new Promise((r) => setTimeout(r, 200));
    const busy = await upload(s, 1);
    assert.equal(busy.status, 503);
    const answers = await Promise.all(stalled.map((x) => x.answer));
    for (const a of answers) {
      assert.match(a, /^HTTP\/1\.1 408 /);
      assert.match(a, /"ErrorCode":"RequestTimeout"/);
    }
    assert.ok(stalled.every((x) => x.socket.destroyed));
    const ok = await upload(s, 2);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });
});

describe('a service held up is not a silent client', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ worker: false, env: { BODY_IDLE_TIMEOUT_SECONDS: '1' } });
  });
  after(async () => { await s?.close(); });

  test('bytes that arrived while the event loop was busy past the idle timeout are read before the upload is timed out', async () => {
    const body = JSON.stringify({ Filename: 'busy.xml', FileBytes: generateImportFile({ reports: 3, seed: 9 }).toString('base64') });
    const socket = connect(Number(new URL(s.url).port), '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    let text = '';
    socket.on('data', (d) => (text += d));
    const closed = new Promise((r) => socket.once('close', r));
    socket.write(`POST /api/reports/import HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${s.apiKey}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 10)}`);
    await new Promise((r) => setTimeout(r, 300));
    // more of the body reaches the kernel while the process is held up for longer than the idle timeout
    socket.write(body.slice(10, 20));
    const until = Date.now() + 1500;
    while (Date.now() < until) { /* the service's thread is busy, as a long synchronous write would hold it */ }
    await new Promise((r) => setTimeout(r, 500));
    socket.write(body.slice(20));
    await closed;
    assert.match(text, /^HTTP\/1\.1 200 /, text.slice(0, 300));
  });
});

describe('one caller cannot take every slot', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ worker: false, env: { BODY_IDLE_TIMEOUT_SECONDS: '30', MAX_CONCURRENT_IMPORTS: '4' } });
  });
  after(async () => { await s?.close(); });

  test('past all slots but one (the default), the same caller gets 429 with Retry-After', async () => {
    const stalled = await Promise.all([0, 1, 2].map(() => stall(s)));
    await new Promise((r) => setTimeout(r, 200));
    const third = await fetch(`${s.api}/reports/import`, {
      method: 'POST', headers: { ...bearer(s.apiKey), 'content-type': 'application/json' }, body: '{"Filename":"a.xml","FileBytes":"AA=="}',
    });
    assert.equal(third.status, 429);
    assert.equal(third.headers.get('retry-after'), '5');
    assert.equal((await third.json()).ResponseStatus.ErrorCode, 'TooManyRequests');
    for (const x of stalled) x.socket.destroy();
    await new Promise((r) => setTimeout(r, 200));
    const after = await upload(s, 3);
    assert.equal(after.status, 200, JSON.stringify(after.body));
  });
});

describe('requests the HTTP parser refuses', () => {
  let s: TestServer;
  before(async () => { s = await startServer({ worker: false }); });
  after(async () => { await s?.close(); });

  const raw = (text: string) => new Promise<string>((resolve) => {
    const socket = connect(Number(new URL(s.url).port), '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.on('data', (d) => (out += d));
    socket.on('close', () => resolve(out));
    socket.on('error', () => undefined);
  });

  test('headers too large: 431 with a ResponseStatus; a request line that is not HTTP: 400 with one', async () => {
    const big = await raw(`GET /api/forms HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`);
    assert.match(big, /^HTTP\/1\.1 431 /);
    assert.equal(JSON.parse(big.split('\r\n\r\n')[1]).ResponseStatus.ErrorCode, 'RequestHeaderFieldsTooLarge');
    const junk = await raw('THIS IS NOT HTTP\r\n\r\n');
    assert.match(junk, /^HTTP\/1\.1 400 /);
    assert.equal(JSON.parse(junk.split('\r\n\r\n')[1]).ResponseStatus.ErrorCode, 'BadRequest');
    assert.equal((await fetch(`${s.api}/forms`, { headers: bearer(s.apiKey) })).status, 200);
  });
});
