import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, startServer, waitForImport, type TestServer } from './support/server.ts';
import { sqlOf } from './support/database.ts';
import { fileXml, importBody } from './support/xml.ts';

let s: TestServer;
before(async () => { s = await startServer({ worker: false }); });
after(async () => { await s.close(); });

test('an import whose staged work cannot be created ends Failed, with the reason in ResponseStatus', async () => {
  const xml = fileXml([{}, {}, {}]);
  const res = await fetch(`${s.api}/reports/import`, {
    method: 'POST', headers: { ...bearer(s.apiKey), 'content-type': 'application/json' }, body: importBody(xml),
  });
  assert.equal(res.status, 200);
  const { ImportId, StatusDescription } = await res.json();
  assert.equal(StatusDescription, 'Queued');
  const queued = await (await fetch(`${s.api}/reports/import/status/${ImportId}`, { headers: bearer(s.apiKey) })).json();
  assert.equal(queued.StatusDescription, 'Queued');
  assert.equal(queued.TotalReports, 3);
  assert.equal(queued.TotalReportsImported, 0);
  assert.deepEqual(queued.ImportedReports, {});

  // damage the waiting reports: every attempt to number them fails (their form is gone)
  const sql = sqlOf(s.store);
  await sql.runUnchecked('UPDATE reports SET form_pk = -1 WHERE import_pk = (SELECT id FROM imports WHERE import_id = ?)', ImportId);
  s.app.worker.start();

  const status = await waitForImport(s, ImportId);
  assert.equal(status.StatusDescription, 'Failed');
  assert.equal(status.ResponseStatus.ErrorCode, 'ImportFailed');
  assert.match(status.ResponseStatus.Message, /failed attempts/);
  assert.equal((await sql.get('SELECT count(*) AS n FROM reports WHERE number IS NULL'))!.n, 0, 'waiting reports removed');
  assert.equal(status.TotalReportsImported, 0);
  assert.equal((await sql.get('SELECT count(*) AS n FROM reports'))!.n, 0, 'nothing half-created');
  assert.equal((await sql.get('SELECT count(*) AS n FROM report_fields'))!.n, 0);

  // the worker goes on, and the ids the failed import never created can be imported again
  const again = await fetch(`${s.api}/reports/import`, {
    method: 'POST', headers: { ...bearer(s.apiKey), 'content-type': 'application/json' }, body: importBody(xml),
  });
  const accepted = await again.json();
  assert.deepEqual(accepted.DuplicateReports, []);
  const done = await waitForImport(s, accepted.ImportId);
  assert.equal(done.StatusDescription, 'Completed');
  assert.equal(done.TotalReportsImported, 3);
});
