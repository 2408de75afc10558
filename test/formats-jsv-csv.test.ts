import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, startServer, waitForImport, type TestServer } from './support/server.ts';
import { fileXml } from './support/xml.ts';
import { csvFormat, jsvFormat } from '../src/host/formats/index.ts';
import { parseJsv } from '../src/host/formats/jsv.ts';
import { dto, member, t } from '../src/model/dsl.ts';
import { ImportReportsStatusResponse } from '../src/model/reports.ts';

const Row = dto('Row', { members: { Name: member(t.string), Count: member(t.int), Open: member(t.bool), When: member(t.dateTime, { nullable: true }) } });
const Rows = dto('Rows', { members: { Total: member(t.int), Rows: member(t.list(t.ref(Row))) } });

describe('JSV', () => {
  test('strings quoted only when they hold a delimiter, booleans True/False, nulls left out, own members before inherited', () => {
    const text = jsvFormat.write(ImportReportsStatusResponse, {
      ImportedReports: { '4583b364-bbdc-427f-a289-c2923debd547': 'OCC-0001' },
      TotalReportsImported: 1,
      TotalReports: 1,
      StatusDescription: 'Done, "really"',
    });
    assert.equal(text, '{ImportedReports:{4583b364-bbdc-427f-a289-c2923debd547:OCC-0001},TotalReportsImported:1,TotalReports:1,StatusDescription:"Done, ""really"""}');
    assert.equal(
      jsvFormat.write(Rows, { Total: 1, Rows: [{ Name: 'a:b', Count: 2, Open: true, When: new Date('2026-01-02T03:04:05Z') }] }),
      '{Total:1,Rows:[{Name:"a:b",Count:2,Open:True,When:2026-01-02T03:04:05Z}]}',
    );
  });

  test('reads what it writes, nested lists included', () => {
    const errors: any[] = [];
    const back = jsvFormat.read(Rows, Buffer.from('{Total:2,Rows:[{Name:"x, ""y""",Count:1,Open:False},{Name:z,When:2026-01-02}]}'), errors);
    assert.deepEqual(errors, []);
    assert.equal(back.Total, 2);
    const rows = back.Rows as any[];
    assert.equal(rows[0].Name, 'x, "y"');
    assert.equal(rows[0].Open, false);
    assert.equal((rows[1].When as Date).toISOString(), '2026-01-02T00:00:00.000Z');
  });

  test('malformed JSV is a SerializationException; bad values name their member', () => {
    for (const bad of ['{Total:1', '{Total:1,Rows:[{Name:x}', '{"Total:1}', '[1,2]']) {
      assert.throws(() => jsvFormat.read(Rows, Buffer.from(bad), []), (e: any) => e.errorCode === 'SerializationException', bad);
    }
    assert.throws(() => parseJsv('['.repeat(100) + ']'.repeat(100)), /nested more than/);
    const errors: any[] = [];
    jsvFormat.read(Rows, Buffer.from('{Total:x,Rows:[{Count:y}]}'), errors);
    assert.deepEqual(errors.map((e) => e.fieldName), ['Total', 'Rows[0].Count']);
  });
});

describe('CSV', () => {
  test('the first collection member becomes rows: a list of DTOs under a header, a dictionary as Key,Value', () => {
    assert.equal(
      csvFormat.write(Rows, { Total: 2, Rows: [{ Name: 'a, b', Count: 1, Open: true }, { Name: 'say "hi"', Count: 2, Open: false }] }),
      'Name,Count,Open,When\r\n"a, b",1,True,\r\n"say ""hi""",2,False,\r\n',
    );
    assert.equal(
      csvFormat.write(ImportReportsStatusResponse, { ImportedReports: { '4583b364-bbdc-427f-a289-c2923debd547': 'OCC-0001' }, TotalReports: 1 }),
      'Key,Value\r\n4583b364-bbdc-427f-a289-c2923debd547,OCC-0001\r\n',
    );
  });

  test('an error is its ResponseStatus as one row', () => {
    const text = csvFormat.write(ImportReportsStatusResponse, {
      ResponseStatus: { ErrorCode: 'NotFound', Message: 'Import x was not found', Errors: [] },
    });
    assert.equal(text, 'ErrorCode,Message,StackTrace,Errors,Meta\r\nNotFound,Import x was not found,,[],\r\n');
  });

  test('request bodies: header row, values row; malformed rows refused', () => {
    const errors: any[] = [];
    const back = csvFormat.read(Row, Buffer.from('Name,Count,Open\r\n"x,""y""",3,true\r\n'), errors);
    assert.deepEqual(errors, []);
    assert.deepEqual(back, { Name: 'x,"y"', Count: 3, Open: true });
    for (const bad of ['Name,Count\r\n"x,3\r\n', 'Name,Count\r\nx,3,4\r\n', 'Name,Count\r\n', 'Name,Count\r\nx"y,3\r\n']) {
      assert.throws(() => csvFormat.read(Row, Buffer.from(bad), []), (e: any) => e.errorCode === 'SerializationException', bad);
    }
  });
});

let s: TestServer;
before(async () => { s = await startServer(); });
after(async () => { await s.close(); });

describe('JSV and CSV over HTTP', () => {
  test('an import posted as JSV and as CSV; status read as JSV and CSV', async () => {
    const file = Buffer.from(fileXml([{}, {}])).toString('base64');
    const jsv = await fetch(`${s.api}/reports/import`, {
      method: 'POST',
      headers: { ...bearer(s.apiKey), 'content-type': 'application/jsv', accept: 'application/jsv' },
      body: `{Filename:a.xml,FileBytes:${file}}`,
    });
    assert.equal(jsv.status, 200);
    assert.equal(jsv.headers.get('content-type'), 'application/jsv');
    const parsed = parseJsv(await jsv.text()) as Map<string, any>;
    const importId = parsed.get('ImportId');
    assert.match(importId, /^[0-9a-f-]{36}$/);
    await waitForImport(s, importId);

    const status = await fetch(`${s.api}/jsv/reply/ImportReportsStatus?ImportId=${importId}`, { headers: bearer(s.apiKey) });
    assert.equal(status.headers.get('content-type'), 'application/jsv');
    const st = parseJsv(await status.text()) as Map<string, any>;
    assert.equal(st.get('TotalReports'), '2');
    assert.equal(st.get('ImportedReports').size, 2);

    const csv = await fetch(`${s.api}/reports/import/status/${importId}.csv`, { headers: bearer(s.apiKey) });
    assert.equal(csv.headers.get('content-type'), 'text/csv');
    assert.equal(csv.headers.get('content-disposition'), 'attachment;filename="ImportReportsStatus.csv"');
    const lines = (await csv.text()).split('\r\n');
    assert.equal(lines[0], 'Key,Value');
    assert.equal(lines.filter((l) => /^[0-9a-f-]{36},OCC-\d+$/.test(l)).length, 2);

    const fromCsv = await fetch(`${s.api}/reports/import`, {
      method: 'POST',
      headers: { ...bearer(s.apiKey), 'content-type': 'text/csv', accept: 'application/json' },
      body: `Filename,FileBytes\r\nb.xml,${Buffer.from(fileXml([{}])).toString('base64')}\r\n`,
    });
    assert.equal(fromCsv.status, 200);
    const body = await fromCsv.json();
    assert.match(body.ImportId, /^[0-9a-f-]{36}$/);
    // the next test reads three numbered reports
    assert.equal((await waitForImport(s, body.ImportId)).StatusDescription, 'Completed');
  });

  test('a read operation as CSV: one row per report under a header of its members', async () => {
    const res = await fetch(`${s.api}/reports?format=csv&Take=3`, { headers: bearer(s.apiKey) });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-disposition'), 'attachment;filename="GetReports.csv"');
    const lines = (await res.text()).split('\r\n');
    assert.equal(lines[0], 'ReportId,Number,FormId,FormName,Summary,ReportStatus,Category,RaisedFrom,Owner,RaisedBy,ClosedBy,RaisedDate,SubmittedDate,ClosedDate,IsMandatory,ImportId');
    assert.equal(lines.filter((l) => /^[0-9a-f-]{36},OCC-\d+,/.test(l)).length, 3);
    const jsv = await fetch(`${s.api}/jsv/reply/GetReports?Take=1`, { headers: bearer(s.apiKey) });
    const page = parseJsv(await jsv.text()) as Map<string, any>;
    assert.equal(page.get('Take'), '1');
    assert.equal(page.get('Reports').length, 1);
    assert.match(page.get('Reports')[0].get('Number'), /^OCC-\d+$/);
  });

  test('malformed JSV and CSV bodies: 400 in the requested format, with the same ResponseStatus', async () => {
    const jsv = await fetch(`${s.api}/jsv/reply/ImportReports`, { method: 'POST', headers: bearer(s.apiKey), body: '{Filename:a.xml,FileBytes:' });
    assert.equal(jsv.status, 400);
    const rs = (parseJsv(await jsv.text()) as Map<string, any>).get('ResponseStatus') as Map<string, any>;
    assert.equal(rs.get('ErrorCode'), 'SerializationException');
    assert.match(rs.get('Message'), /not valid JSV/);

    const csv = await fetch(`${s.api}/csv/reply/ImportReports`, { method: 'POST', headers: bearer(s.apiKey), body: 'Filename,FileBytes\r\n"a.xml,x\r\n' });
    assert.equal(csv.status, 400);
    assert.equal(csv.headers.get('content-type'), 'text/csv');
    const [header, row] = (await csv.text()).split('\r\n');
    assert.equal(header, 'ErrorCode,Message,StackTrace,Errors,Meta');
    assert.match(row, /^SerializationException,/);
  });
});
