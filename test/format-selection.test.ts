import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, startServer, type TestServer } from './support/server.ts';
import { negotiate } from '../src/host/negotiate.ts';
import { csvFormat, jsonFormat, jsvFormat, xmlFormat } from '../src/host/formats/index.ts';

const q = (query: Record<string, string> = {}) => ({ query });

describe('format selection order', () => {
  test('extension, then callback, then ?format=, then the predefined route, then Accept, then Content-Type, then JSON', () => {
    assert.equal(negotiate({ ...q({ format: 'json' }), extension: xmlFormat, routeFormat: jsvFormat, accept: 'text/csv' }).format, xmlFormat);
    assert.equal(negotiate({ ...q({ callback: 'cb', format: 'xml' }), routeFormat: jsvFormat }).format.contentType, 'text/javascript');
    assert.equal(negotiate({ ...q({ format: 'jsv.pretty' }), routeFormat: xmlFormat, accept: 'application/json' }).format, jsvFormat);
    assert.equal(negotiate({ ...q({ format: 'CSV' }) }).format, csvFormat);
    assert.equal(negotiate({ ...q(), routeFormat: xmlFormat, accept: 'application/json' }).format, xmlFormat);
    assert.equal(negotiate({ ...q(), accept: 'application/xml' }).format, xmlFormat);
    assert.equal(negotiate({ ...q(), accept: 'text/csv' }).format, csvFormat);
    assert.equal(negotiate({ ...q(), accept: '*/*', contentType: 'application/jsv' }).format, jsvFormat);
    assert.equal(negotiate({ ...q(), accept: '*/*' }).format, jsonFormat);
    assert.equal(negotiate({ ...q(), accept: 'image/png' }).format, jsonFormat);
    assert.equal(negotiate({ ...q() }).format, jsonFormat);
  });

  test('Accept: preferred order (JSON, XML, JSV) over Accept order, unless one entry is the request\'s own Content-Type', () => {
    assert.equal(negotiate({ ...q(), accept: 'application/jsv, application/xml;q=0.9' }).format, xmlFormat);
    assert.equal(negotiate({ ...q(), accept: 'application/xml, application/json' }).format, jsonFormat);
    assert.equal(negotiate({ ...q(), accept: 'application/xml, application/json', contentType: 'application/xml' }).format, xmlFormat);
  });

  test('an unknown ?format= is a problem, answered in the format otherwise chosen', () => {
    const n = negotiate({ ...q({ format: 'yaml' }), accept: 'application/xml' });
    assert.equal(n.format, xmlFormat);
    assert.equal(n.problem?.errorCode, 'UnknownFormat');
    assert.equal(n.problem?.status, 400);
  });
});

let s: TestServer;
before(async () => { s = await startServer({ worker: false }); });
after(async () => { await s.close(); });

const unknownId = '6f1c2b3a-4d5e-4f70-8192-a3b4c5d6e7f8';
const statusUrl = () => `${s.api}/reports/import/status/${unknownId}`;

describe('format selection over HTTP', () => {
  test('content types as ServiceStack writes them, and the same ResponseStatus in every format', async () => {
    const cases: Array<[string, Record<string, string>, string, (t: string) => string]> = [
      ['', { accept: 'application/json' }, 'application/json; charset=utf-8', (t) => JSON.parse(t).ResponseStatus.ErrorCode],
      ['.xml', {}, 'application/xml', (t) => /<ErrorCode>(\w+)<\/ErrorCode>/.exec(t)![1]],
      ['?format=jsv', {}, 'application/jsv', (t) => /ErrorCode:(\w+)/.exec(t)![1]],
      ['', { accept: 'text/csv' }, 'text/csv', (t) => t.split('\r\n')[1].split(',')[0]],
      ['', { accept: 'application/xml' }, 'application/xml', (t) => /<ErrorCode>(\w+)<\/ErrorCode>/.exec(t)![1]],
    ];
    for (const [suffix, headers, type, code] of cases) {
      const res = await fetch(statusUrl() + suffix, { headers: { ...bearer(s.apiKey), ...headers } });
      assert.equal(res.status, 404, suffix + JSON.stringify(headers));
      assert.equal(res.headers.get('content-type'), type);
      assert.equal(code(await res.text()), 'NotFound');
    }
  });

  test('predefined /api/{fmt}/reply/{Op} routes answer in their format; unknown operations too', async () => {
    for (const [fmt, type] of [['xml', 'application/xml'], ['jsv', 'application/jsv'], ['csv', 'text/csv'], ['json', 'application/json; charset=utf-8']]) {
      const res = await fetch(`${s.api}/${fmt}/reply/ImportReportsStatus?ImportId=${unknownId}`, { headers: bearer(s.apiKey) });
      assert.equal(res.status, 404);
      assert.equal(res.headers.get('content-type'), type);
      const unknown = await fetch(`${s.api}/${fmt}/reply/NoSuchOp`, { headers: bearer(s.apiKey) });
      assert.equal(unknown.status, 405);
      assert.equal(unknown.headers.get('content-type'), type);
      assert.match(await unknown.text(), /NotImplementedException/);
    }
  });

  test('JSONP: sanitised callback, text/javascript, errors with HTTP 200 and X-Status', async () => {
    const res = await fetch(`${statusUrl()}?callback=${encodeURIComponent('my cb();alert(1)')}`, { headers: bearer(s.apiKey) });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-status'), '404');
    assert.equal(res.headers.get('content-type'), 'text/javascript');
    const text = await res.text();
    const m = /^my_cb___alert_1_\((.*)\)$/.exec(text);
    assert.ok(m, text);
    assert.equal(JSON.parse(m[1]).ResponseStatus.ErrorCode, 'NotFound');
  });

  test('an unknown ?format=: 400 UnknownFormat in the format Accept asked for', async () => {
    const res = await fetch(`${statusUrl()}?format=yaml`, { headers: { ...bearer(s.apiKey), accept: 'application/xml' } });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('content-type'), 'application/xml');
    assert.match(await res.text(), /<ErrorCode>UnknownFormat<\/ErrorCode>/);
  });

  test('routing errors before any operation is known are written in the requested format', async () => {
    const res = await fetch(`${s.api}/no/such/path.xml`);
    assert.equal(res.status, 404);
    assert.equal(res.headers.get('content-type'), 'application/xml');
    assert.match(await res.text(), /^<\?xml[^>]*\?><ErrorResponse [^>]*><ResponseStatus><ErrorCode>NotFound<\/ErrorCode>/);
  });

  test('a body in an unknown media type on a user route: 400 naming the accepted ones', async () => {
    const res = await fetch(`${s.api}/reports/import`, { method: 'POST', headers: { ...bearer(s.apiKey), 'content-type': 'application/yaml', accept: 'application/json' }, body: 'a: b' });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.match(body.ResponseStatus.Errors[0].Message, /application\/json, application\/xml, application\/jsv, text\/csv/);
  });
});
