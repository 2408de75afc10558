import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateImportFile } from '../scripts/generate-file.ts';
import { bearer, startServer, waitForImport, type TestServer } from './support/server.ts';
import { sqlOf } from './support/database.ts';

let s: TestServer;
before(async () => { s = await startServer(); });
after(async () => { await s.close(); });

test('three files uploaded at once: all checked in parallel threads, every report once, each form numbered without gaps', async () => {
  const files = [11, 12, 13].map((seed) => generateImportFile({ reports: 2000, seed }));
  const responses = await Promise.all(files.map((file) => fetch(`${s.api}/reports/import`, {
    method: 'POST',
    headers: { ...bearer(s.apiKey), 'content-type': 'application/json' },
    body: JSON.stringify({ Filename: 'batch.xml', FileBytes: file.toString('base64') }),
  })));
  const ids = [];
  for (const res of responses) {
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.deepEqual(body.DuplicateReports, []);
    ids.push(body.ImportId);
  }
  // meanwhile status polls are answered
  const statuses = await Promise.all(ids.map((id) => waitForImport(s, id, 120_000)));
  for (const st of statuses) {
    assert.equal(st.StatusDescription, 'Completed');
    assert.equal(st.TotalReportsImported, 2000);
  }
  const sql = sqlOf(s.store);
  const perForm = await sql.all<{ n: number; lo: number; hi: number; numbers: number }>(`SELECT form_pk, count(*) AS n, min(seq) AS lo, max(seq) AS hi, count(DISTINCT number) AS numbers
    FROM reports WHERE number IS NOT NULL GROUP BY form_pk`);
  assert.equal(perForm.reduce((a, f) => a + f.n, 0), 6000);
  for (const f of perForm) assert.deepEqual([f.lo, f.hi, f.numbers], [1, f.n, f.n]);
  assert.equal((await sql.get('SELECT count(*) AS n FROM reports WHERE number IS NULL'))!.n, 0);
});
