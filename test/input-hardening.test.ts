import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, startServer, waitForImport, type TestServer } from './support/server.ts';
import { generateImportFile } from '../scripts/generate-file.ts';
import { csvFormat, jsvFormat } from '../src/host/formats/index.ts';
import { dto, member, t } from '../src/model/dsl.ts';
import { parseImportFile } from '../src/import/parse-import-file.ts';
import { checkFieldValue } from '../src/import/report-rules.ts';
import { parseDateTime } from '../src/host/values.ts';

let s: TestServer;
before(async () => { s = await startServer({ worker: false }); });
after(async () => { await s?.close(); });

const auth = () => ({ authorization: `Bearer ${s.apiKey}` });

async function send(path: string, init: RequestInit = {}) {
  const r = await fetch(s.api + path, { ...init, headers: { ...auth(), ...(init.headers as Record<string, string>) } });
  return { status: r.status, body: await r.json().catch(() => undefined) as any };
}

describe('deep input', () => {
  test('a 5,000-level nested JSON body is a 400 SerializationException, on /auth and on an operation', async () => {
    const deep = '{"A":'.repeat(5000) + '1' + '}'.repeat(5000);
    for (const path of ['/auth', '/ImportReportsStatus']) {
      const r = await send(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"UserName":${deep},"ImportId":${deep}}` });
      assert.equal(r.status, 400, path);
      assert.equal(r.body.ResponseStatus.ErrorCode, 'SerializationException');
    }
  });
  test('deep JSV, XML and SOAP bodies are 400s too, and the service keeps answering', async () => {
    const jsv = await send('/jsv/reply/GetReports?format=json', { method: 'POST', body: `{Summary:${'['.repeat(5000)}${']'.repeat(5000)}}` });
    assert.equal(jsv.status, 400);
    assert.equal(jsv.body.ResponseStatus.ErrorCode, 'SerializationException');
    const nested = '<A>'.repeat(5000) + '</A>'.repeat(5000);
    const xml = await send('/xml/reply/GetReports?format=json', { method: 'POST', headers: { 'content-type': 'application/xml' }, body: `<GetReports xmlns="http://schemas.servicestack.net/types"><Summary>${nested}</Summary></GetReports>` });
    assert.equal(xml.status, 400);
    assert.equal(xml.body.ResponseStatus.ErrorCode, 'SerializationException');
    const soap = await fetch(`${s.api}/soap12`, {
      method: 'POST', headers: { ...auth(), 'content-type': 'application/soap+xml' },
      body: `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><GetReports xmlns="http://schemas.servicestack.net/types">${nested}</GetReports></soap:Body></soap:Envelope>`,
    });
    const text = await soap.text();
    assert.equal(soap.headers.get('x-status'), '400');
    assert.match(text, /SerializationException/);
    assert.equal((await send('/forms')).status, 200);
  });
  test('a wide JSON body (80,000 members) within the size limit is answered quickly', async () => {
    const wide = '{' + Array.from({ length: 80_000 }, (_, i) => `"k${i}":1`).join(',') + ',"Take":5}';
    const t0 = performance.now();
    const r = await send('/json/reply/GetReports', { method: 'POST', headers: { 'content-type': 'application/json' }, body: wide });
    assert.equal(r.status, 200);
    assert.ok(performance.now() - t0 < 5000);
  });
});

describe('NUL, controls and unpaired surrogates', () => {
  test('GetReports?Summary=%00 is a 400 naming Summary', async () => {
    const r = await send('/reports?Summary=%00');
    assert.equal(r.status, 400);
    assert.equal(r.body.ResponseStatus.ErrorCode, 'InvalidCharacters');
    assert.equal(r.body.ResponseStatus.Errors[0].FieldName, 'Summary');
  });
  test('a NUL in a sign-in user name and a lone surrogate in a Filename are 400s', async () => {
    const a = await send('/auth/credentials', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ UserName: 'ad\u0000min', Password: 'x' }) });
    assert.equal(a.status, 400);
    assert.equal(a.body.ResponseStatus.Errors[0].FieldName, 'UserName');
    const f = await send('/reports/import', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"Filename":"a\\ud800.xml","FileBytes":"PFJlcG9ydHMvPg=="}' });
    assert.equal(f.status, 400);
    assert.equal(f.body.ResponseStatus.Errors[0].FieldName, 'Filename');
  });
  test('the same in a SOAP body', async () => {
    const soap = await fetch(`${s.api}/soap12`, {
      method: 'POST', headers: { ...auth(), 'content-type': 'application/soap+xml' },
      body: '<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><GetReports xmlns="http://schemas.servicestack.net/types"><Summary>a&#xD800;b</Summary></GetReports></soap:Body></soap:Envelope>',
    });
    assert.equal(soap.headers.get('x-status'), '400');
    assert.match(await soap.text(), /InvalidCharacters|SerializationException/);
  });
  test('the same in XML and JSV bodies', async () => {
    const j = await send('/jsv/reply/GetReports?format=json', { method: 'POST', headers: { accept: 'application/json' }, body: '{Summary:a\u0001b}' });
    assert.equal(j.status, 400);
    assert.equal(j.body.ResponseStatus.ErrorCode, 'InvalidCharacters');
  });
});

describe('XML 1.1', () => {
  test('an XML 1.1 request body is refused', async () => {
    const r = await send('/xml/reply/GetReports?format=json', { method: 'POST', headers: { 'content-type': 'application/xml', accept: 'application/json' }, body: '<?xml version="1.1"?><GetReports xmlns="http://schemas.servicestack.net/types"><Summary>&#x1;</Summary></GetReports>' });
    assert.equal(r.status, 400);
    assert.equal(r.body.ResponseStatus.ErrorCode, 'SerializationException');
    assert.match(r.body.ResponseStatus.Message, /version 1\.1/);
  });
  test('an XML 1.1 import file is refused', async () => {
    const out = await parseImportFile(Buffer.from('<?xml version="1.1"?><Reports xmlns="urn:coruson:reports:import:1"/>'), {
      forms: () => undefined, limits: { maxFileBytes: 1e6, maxDepth: 32, maxElements: 1e6, maxReports: 10, maxErrors: 10, maxRepeaterDepth: 3 } as any,
    });
    assert.equal(out.ok, false);
    if (!out.ok) assert.match(out.problems[0].message, /version '1\.1'/);
  });
  test('JSV and CSV never write raw C0 controls', () => {
    const D = dto('D', { members: { S: member(t.string) } });
    assert.ok(!/[\u0001]/.test(jsvFormat.write(D, { S: 'a\u0001b' })));
    assert.ok(!/[\u0001]/.test(csvFormat.write(D, { S: 'a\u0001b' })));
  });
});

describe('bounded values', () => {
  test('a Numerical value must fit a .NET decimal', () => {
    assert.equal(checkFieldValue('Numerical', '1'.repeat(20_000), undefined)?.code, 'InvalidNumber');
    assert.equal(checkFieldValue('Numerical', '79228162514264337593543950335', undefined)?.code, 'InvalidNumber');
    assert.equal(checkFieldValue('Numerical', '7922816251426433759354395033', undefined), null);
    assert.equal(checkFieldValue('Numerical', '-0.0000000000000000000000000001', undefined), null);
  });
});

describe('bounded import values', () => {
  const limits = { maxFileBytes: 64e6, maxDepth: 32, maxElements: 1e7, maxReports: 10, maxErrors: 10, maxRepeaterDepth: 3 } as any;
  const form = { pk: 1, name: 'Occurrence Report', active: true } as any;
  const file = (fields: string) => Buffer.from('<Reports xmlns="urn:coruson:reports:import:1"><Report><ReportId>5b8f9c1e-1d2a-4c3b-9e7f-0a1b2c3d4e5f</ReportId>' +
    '<FormName>Occurrence Report</FormName><Summary>s</Summary><RaisedBy>a</RaisedBy><RaisedDate>2026-03-01T10:00:00Z</RaisedDate>' +
    `<Fields>${fields}</Fields></Report></Reports>`);
  test('a CheckList of 501 values and a report of 2,001 fields are LimitExceeded with a path', async () => {
    const many = '<Value>o</Value>'.repeat(501);
    const c = await parseImportFile(file(`<Field><Label>L</Label><FieldType>CheckList</FieldType><Values>${many}</Values></Field>`), { forms: () => form, limits });
    assert.equal(c.ok, false);
    if (!c.ok) {
      assert.equal(c.problems[0].errorCode, 'LimitExceeded');
      assert.equal(c.problems[0].fieldName, 'Reports/Report[1]/Fields/Field[1]/Values/Value[501]');
    }
    const fields = '<Field><Label>L</Label><FieldType>TextBox</FieldType><Value>v</Value></Field>'.repeat(2001);
    const r = await parseImportFile(file(fields), { forms: () => form, limits });
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.problems[0].fieldName, 'Reports/Report[1]/Fields/Field[2001]');
  });

  test('a CheckList whose options hold more than 100,000 characters together is LimitExceeded at the option past it', async () => {
    const option = (i: number) => `<Value>${String(i).padStart(4, '0')}${'x'.repeat(996)}</Value>`;
    const fits = Array.from({ length: 100 }, (_, i) => option(i)).join('');
    const ok = await parseImportFile(file(`<Field><Label>L</Label><FieldType>CheckList</FieldType><Values>${fits}</Values></Field>`), { forms: () => form, limits });
    assert.equal(ok.ok, true);
    const over = Array.from({ length: 101 }, (_, i) => option(i)).join('');
    const c = await parseImportFile(file(`<Field><Label>L</Label><FieldType>CheckList</FieldType><Values>${over}</Values></Field>`), { forms: () => form, limits });
    assert.equal(c.ok, false);
    if (!c.ok) {
      assert.equal(c.problems.length, 1);
      assert.equal(c.problems[0].errorCode, 'LimitExceeded');
      assert.equal(c.problems[0].fieldName, 'Reports/Report[1]/Fields/Field[1]/Values/Value[101]');
    }
  });
});

describe('dates at the edges', () => {
  test('instants outside 0001..9999 UTC are refused', () => {
    assert.equal(parseDateTime('9999-12-31T23:59:59-14:00'), undefined);
    assert.equal(parseDateTime('0001-01-01T00:00:00+14:00'), undefined);
    assert.ok(parseDateTime('9999-12-31T23:59:59Z'));
    assert.equal(parseDateTime('/Date(253402300800000)/'), undefined);
  });
  test('RaisedDate=0026/03/01 means year 26, not 1926; year 0 is refused', async () => {
    const ok = await send('/reports?RaisedDate=0026/03/01');
    assert.equal(ok.status, 200);
    const bad = await send('/reports?RaisedDate=0000/03/01');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.ResponseStatus.ErrorCode, 'InvalidDate');
  });
});

describe('CSV injection', () => {
  test('text cells starting with = + - @ are quoted with a leading single quote; numbers are not', () => {
    const D = dto('D', { members: { S: member(t.string), N: member(t.int) } });
    const text = csvFormat.write(D, { S: '=HYPERLINK("x")', N: -5 });
    assert.equal(text, 'S,N\r\n"\'=HYPERLINK(""x"")",-5\r\n');
  });
});

describe('UpdateAdditionalField holds values to the same bounds, on the wire', () => {
  let w: TestServer;
  let checkList: string;
  let textField: string;
  before(async () => {
    w = await startServer();
    const file = generateImportFile({ reports: 5, seed: 7 });
    const res = await fetch(`${w.api}/reports/import`, {
      method: 'POST', headers: { ...bearer(w.apiKey), 'content-type': 'application/json' },
      body: JSON.stringify({ Filename: 'five.xml', FileBytes: file.toString('base64') }),
    });
    assert.equal(res.status, 200);
    assert.equal((await waitForImport(w, (await res.json()).ImportId)).StatusDescription, 'Completed');
    const fields = (await (await fetch(`${w.api}/reports/fields?Take=100`, { headers: bearer(w.apiKey) })).json()).ReportFields as any[];
    checkList = fields.find((f) => f.FieldType === 'CheckList').FieldId;
    textField = fields.find((f) => f.FieldType === 'TextBox' || f.FieldType === 'TextArea').FieldId;
  });
  after(async () => { await w?.close(); });

  const put = (id: string, value: string) => fetch(`${w.api}/reports/additionalFields/${id}`, {
    method: 'PUT', headers: { ...bearer(w.apiKey), 'content-type': 'application/json' }, body: JSON.stringify({ Value: value }),
  }).then(async (r) => ({ status: r.status, body: await r.json() as any }));

  test('a CheckList of 501 options, or of 101 options of 1,000 characters, is refused and nothing changes', async () => {
    const before = await (await fetch(`${w.api}/reports/fields?Take=100`, { headers: bearer(w.apiKey) })).json();
    const many = await put(checkList, JSON.stringify(Array.from({ length: 501 }, (_, i) => `o${i}`)));
    assert.equal(many.status, 400);
    assert.equal(many.body.ResponseStatus.Errors[0].ErrorCode, 'LimitExceeded');
    const long = await put(checkList, JSON.stringify(Array.from({ length: 101 }, (_, i) => `${i}`.padEnd(1000, 'x'))));
    assert.equal(long.status, 400);
    // the Value member's own MaximumLength is reached first: the JSON of the options is longer than they are
    assert.ok(['LimitExceeded', 'MaximumLength'].includes(long.body.ResponseStatus.Errors[0].ErrorCode));
    const after = await (await fetch(`${w.api}/reports/fields?Take=100`, { headers: bearer(w.apiKey) })).json();
    assert.deepEqual(after.ReportFields, before.ReportFields);
    assert.equal((await put(checkList, '["Weather","Fatigue"]')).status, 200);
  });

  test('a NUL or a lone surrogate in a value is a 400 naming Value, on either store', async () => {
    for (const value of ['a\u0000b', 'a\ud800b']) {
      const r = await put(textField, value);
      assert.equal(r.status, 400);
      assert.equal(r.body.ResponseStatus.ErrorCode, 'InvalidCharacters');
      assert.equal(r.body.ResponseStatus.Errors[0].FieldName, 'Value');
    }
  });
});
