import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, startServer, type TestServer } from './support/server.ts';
import { operations } from '../src/model/index.ts';

let s: TestServer;
before(async () => { s = await startServer({ worker: false }); });
after(async () => { await s.close(); });

const unknownId = '6f1c2b3a-4d5e-4f70-8192-a3b4c5d6e7f8';

describe('routes', () => {
  test('custom route answers in PascalCase JSON with the ServiceStack content type', async () => {
    const res = await fetch(`${s.api}/reports/import/status/${unknownId}`, { headers: bearer(s.apiKey) });
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
    const body = await res.json();
    assert.equal(body.ResponseStatus.ErrorCode, 'NotFound');
    assert.match(body.ResponseStatus.Message, new RegExp(unknownId));
    assert.deepEqual(body.ResponseStatus.Errors, []);
    // the operation's own response type carries the error, its value types at their defaults
    assert.equal(body.TotalReports, 0);
    assert.equal(body.TotalReportsImported, 0);
  });

  test('route literals and variable names are case-insensitive; 32-hex GUIDs are accepted', async () => {
    const n = unknownId.replace(/-/g, '').toUpperCase();
    const res = await fetch(`${s.api}/REPORTS/Import/STATUS/${n}`, { headers: bearer(s.apiKey) });
    assert.equal(res.status, 404);
    const body = await res.json();
    assert.equal(body.ResponseStatus.ErrorCode, 'NotFound');
    assert.match(body.ResponseStatus.Message, new RegExp(unknownId), 'the id is normalised to lower-case dashed');
  });

  test('predefined routes: /api/json/reply/{Op}, /api/{Op}, case-insensitive op names, query binding', async () => {
    for (const path of [`/json/reply/ImportReportsStatus`, `/json/reply/importreportsstatus`, `/ImportReportsStatus`, `/IMPORTREPORTSSTATUS`]) {
      const res = await fetch(`${s.api}${path}?ImportId=${unknownId}`, { headers: bearer(s.apiKey) });
      assert.equal(res.status, 404, path);
      assert.equal((await res.json()).ResponseStatus.ErrorCode, 'NotFound', path);
    }
  });

  test('the body binds on predefined routes whatever the Content-Type', async () => {
    const res = await fetch(`${s.api}/ImportReportsStatus`, {
      method: 'POST',
      headers: { ...bearer(s.apiKey), 'content-type': 'text/plain' },
      body: JSON.stringify({ importId: unknownId }),
    });
    assert.equal(res.status, 404);
  });

  test('a .json extension selects JSON', async () => {
    const res = await fetch(`${s.api}/reports/import/status/${unknownId}.json`, { headers: bearer(s.apiKey) });
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
  });

  test('unknown operation: 405 NotImplementedException', async () => {
    for (const path of ['/json/reply/NoSuchThing', '/NoSuchThing']) {
      const res = await fetch(`${s.api}${path}`, { method: 'POST', headers: bearer(s.apiKey), body: '{}' });
      assert.equal(res.status, 405, path);
      const body = await res.json();
      assert.equal(body.ResponseStatus.ErrorCode, 'NotImplementedException');
      assert.equal(body.ResponseStatus.Message, 'The operation does not exist for this service');
    }
  });

  test('wrong verb on a route: 405 with Allow', async () => {
    const res = await fetch(`${s.api}/reports/import/status/${unknownId}`, { method: 'DELETE', headers: bearer(s.apiKey) });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET');
    assert.equal((await res.json()).ResponseStatus.ErrorCode, 'MethodNotAllowed');
    const put = await fetch(`${s.api}/reports/import`, { method: 'GET', headers: bearer(s.apiKey) });
    assert.equal(put.status, 405);
    assert.equal(put.headers.get('allow'), 'POST');
  });

  test('unknown path: 404 in the ResponseStatus shape', async () => {
    const res = await fetch(`${s.api}/reports/nothing/here/at/all`, { headers: bearer(s.apiKey) });
    assert.equal(res.status, 404);
    assert.equal((await res.json()).ResponseStatus.ErrorCode, 'NotFound');
    const outside = await fetch(`${s.url}/elsewhere`);
    assert.equal(outside.status, 404);
    assert.equal((await outside.json()).ResponseStatus.ErrorCode, 'NotFound');
  });

  test('malformed GUIDs in the path: 400 with the member in Errors', async () => {
    for (const bad of ['not-a-guid', '1234', '6f1c2b3a-4d5e-4f70-8192-a3b4c5d6e7fz', '%E0%A4%A']) {
      const res = await fetch(`${s.api}/reports/import/status/${bad}`, { headers: bearer(s.apiKey) });
      assert.equal(res.status, 400, bad);
      const body = await res.json();
      assert.equal(body.ResponseStatus.ErrorCode, 'SerializationException', bad);
      if (bad !== '%E0%A4%A') assert.equal(body.ResponseStatus.Errors[0].FieldName, 'ImportId');
    }
  });

  test('the reason phrase is the error code', async () => {
    const res = await fetch(`${s.api}/reports/import/status/nope`, { headers: bearer(s.apiKey) });
    assert.equal(res.statusText, 'SerializationException');
  });

  test('GET /api lists the operations; the schema is served', async () => {
    const index = await (await fetch(s.api)).json();
    assert.deepEqual(index.Operations.map((o: { Name: string }) => o.Name).sort(), operations.map((o) => o.name).sort());
    assert.ok(index.Operations.some((o: { Name: string; Routes: Array<{ Path: string }> }) => o.Name === 'GetReports' && o.Routes[0].Path === '/api/reports'));
    const xsd = await fetch(`${s.api}/reports/import/schema`);
    assert.equal(xsd.status, 200);
    assert.match(xsd.headers.get('content-type')!, /xml/);
    assert.match(await xsd.text(), /urn:coruson:reports:import:1/);
  });
});
