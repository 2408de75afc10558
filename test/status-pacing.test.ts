import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateImportFile } from '../scripts/generate-file.ts';
import { retryAfterSeconds } from '../src/services/reports/import-reports-status.ts';
import { bearer, startServer, type TestServer } from './support/server.ts';

let s: TestServer;
before(async () => { s = await startServer(); });
after(async () => { await s?.close(); });

test('Retry-After is the time the rest would take at the rate seen so far, from 1 to 10 seconds', () => {
  assert.equal(retryAfterSeconds({ total: 1000, imported: 0, startedAt: null }, 5000), 1, 'queued: no rate yet');
  assert.equal(retryAfterSeconds({ total: 1000, imported: 100, startedAt: 0 }, 1000), 9, '900 left at 100 a second');
  assert.equal(retryAfterSeconds({ total: 1000, imported: 10, startedAt: 0 }, 1000), 10, 'a slow import: at most 10');
  assert.equal(retryAfterSeconds({ total: 1000, imported: 999, startedAt: 0 }, 1000), 1, 'nearly done: at least 1');
});

test('ImportReportsStatus answers Retry-After while the import runs, and none once it has ended', async () => {
  const res = await fetch(`${s.api}/reports/import`, {
    method: 'POST', headers: { ...bearer(s.apiKey), 'content-type': 'application/json' },
    body: JSON.stringify({ Filename: 'paced.xml', FileBytes: generateImportFile({ reports: 6000, seed: 77 }).toString('base64') }),
  });
  assert.equal(res.status, 200);
  const { ImportId } = await res.json();
  const running: string[] = [];
  for (const deadline = Date.now() + 60_000; ;) {
    assert.ok(Date.now() < deadline, 'the import did not complete');
    // the XML form gets the header too: it is the same operation
    const poll = await fetch(`${s.api}/reports/import/status/${ImportId}`, { headers: { ...bearer(s.apiKey), accept: running.length % 2 ? 'application/xml' : 'application/json' } });
    const body = await poll.text();
    const done = /Completed/.test(body);
    if (done) {
      assert.equal(poll.headers.get('retry-after'), null, 'a finished import asks for no further poll');
      break;
    }
    running.push(poll.headers.get('retry-after') ?? 'none');
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(running.length > 0, 'polled while it ran');
  for (const v of running) assert.match(v, /^([1-9]|10)$/, `Retry-After ${v}`);
});
