import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { bearer, startServer, waitForImport, type TestServer } from './support/server.ts';
import { sqlOf, type TestSql } from './support/database.ts';
import { fileXml, importBody } from './support/xml.ts';

let s: TestServer;
let db: TestSql;
before(async () => {
  s = await startServer({ env: { MAX_IMPORT_FILE_MB: '1' } });
  db = sqlOf(s.store);
});
after(async () => { await s.close(); });

const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${s.api}/reports/import`, { method: 'POST', headers: { ...bearer(s.apiKey), 'content-type': 'application/json', ...headers }, body });

const counts = () => db.get(`SELECT (SELECT count(*) FROM imports) AS imports, (SELECT count(*) FROM reports) AS reports,
  (SELECT count(*) FROM report_claims) AS claims, (SELECT count(*) FROM reports WHERE number IS NULL) AS waiting`);

describe('ImportReports and ImportReportsStatus', () => {
  test('a file is accepted at once and every report gets the next number of its form', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const xml = fileXml([
      { id: ids[0] }, { id: ids[1], form: 'Hazard Report' }, { id: ids[2], form: 'occurrence report', status: 'Closed' }, { id: ids[3], form: 'Safety Observation' },
    ]);
    const res = await post(importBody(xml));
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.match(body.ImportId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual(body.DuplicateReports, []);

    const status = await waitForImport(s, body.ImportId);
    assert.equal(status.StatusDescription, 'Completed');
    assert.equal(status.TotalReports, 4);
    assert.equal(status.TotalReportsImported, 4);
    assert.deepEqual(status.ImportedReports, { [ids[0]]: 'OCC-0001', [ids[1]]: 'HAZ-0001', [ids[2]]: 'OCC-0002', [ids[3]]: 'OBS-0001' });
    assert.equal(status.ResponseStatus, undefined);

    const stored = (await db.get('SELECT status, closed_by AS "closedBy" FROM reports WHERE report_id = ?', ids[2])) as { status: string; closedBy: string };
    assert.deepEqual(stored, { status: 'Closed', closedBy: 's.officer' });
    const fields = (await db.all('SELECT label, field_type AS type, value FROM report_fields f JOIN reports r ON r.id = f.report_pk WHERE r.report_id = ?', ids[0]));
    assert.deepEqual(fields, [{ label: 'Altitude (ft)', type: 'Numerical', value: '1200' }]);
  });

  test('text is stored as sent: backslashes, tabs, line breaks, quotes, markup and non-ASCII characters', async () => {
    const id = randomUUID();
    const narrative = 'C:\\logs\\n1\tcol 2\nline 2\r\n"quoted" &amp; &lt;b&gt; \\N Zürich 東京 ✈';
    const xml = fileXml([{ id, summary: 'tab\there \\ back', fields: `<Fields><Field><Label>Narrative</Label><FieldType>TextArea</FieldType><Value>${narrative}</Value></Field>
      <Field><Label>Checks</Label><FieldType>CheckList</FieldType><Values><Value>a\\b</Value><Value>"c"</Value></Values></Field></Fields>` }]);
    const status = await waitForImport(s, (await (await post(importBody(xml))).json()).ImportId);
    assert.equal(status.TotalReportsImported, 1);
    assert.deepEqual(await db.get('SELECT summary FROM reports WHERE report_id = ?', id), { summary: 'tab\there \\ back' });
    const fields = await db.all('SELECT value, values_json AS "values" FROM report_fields f JOIN reports r ON r.id = f.report_pk WHERE r.report_id = ? ORDER BY f.position', id);
    assert.deepEqual(fields, [
      { value: 'C:\\logs\\n1\tcol 2\nline 2\n"quoted" & <b> \\N Zürich 東京 ✈', values: null },
      { value: null, values: JSON.stringify(['a\\b', '"c"']) },
    ]);
  });

  test('duplicates: ids already in the organisation and repeated within the file are listed and not imported again', async () => {
    const existing = randomUUID();
    const first = await waitForImport(s, (await (await post(importBody(fileXml([{ id: existing }])))).json()).ImportId);
    assert.equal(first.TotalReports, 1);

    const fresh = randomUUID();
    const res = await post(importBody(fileXml([{ id: existing.toUpperCase() }, { id: fresh }, { id: fresh.replace(/-/g, '') }])));
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.deepEqual(body.DuplicateReports.sort(), [existing, fresh].sort());
    const status = await waitForImport(s, body.ImportId);
    assert.equal(status.TotalReports, 1);
    assert.deepEqual(Object.keys(status.ImportedReports), [fresh]);
    assert.equal(((await db.get('SELECT count(*) AS n FROM reports WHERE report_id IN (?, ?)', existing, fresh)) as { n: number }).n, 2);
  });

  test('two uploads racing with the same ids import each report once', async () => {
    const ids = Array.from({ length: 50 }, () => randomUUID());
    const xml = fileXml(ids.map((id) => ({ id })));
    const results = await Promise.all([post(importBody(xml)), post(importBody(xml)), post(importBody(xml))]);
    const bodies = await Promise.all(results.map((r) => r.json()));
    const totals = [];
    for (const b of bodies) totals.push((await waitForImport(s, b.ImportId)).TotalReports);
    assert.equal(totals.reduce((a, b) => a + b, 0), 50);
    assert.equal(bodies.reduce((a, b) => a + b.DuplicateReports.length, 0), 100);
    const n = (await db.get(`SELECT count(*) AS n FROM reports WHERE report_id IN (${ids.map(() => '?').join(',')})`, ...ids)) as { n: number };
    assert.equal(n.n, 50);
  });

  test('numbers per form have no gaps or repeats', async () => {
    const rows = (await db.all('SELECT form_pk AS form, seq, number FROM reports WHERE number IS NOT NULL ORDER BY form_pk, seq')) as Array<{ form: number; seq: number; number: string }>;
    const byForm = new Map<number, number[]>();
    for (const r of rows) byForm.set(r.form, [...(byForm.get(r.form) ?? []), r.seq]);
    for (const seqs of byForm.values()) assert.deepEqual(seqs, seqs.map((_, i) => i + 1));
    assert.equal(new Set(rows.map((r) => r.number)).size, rows.length);
  });

  test('numbers are zero-padded to four digits and grow past them', async () => {
    const form = (await db.get("SELECT id, next_seq AS next FROM forms WHERE name = 'Safety Observation' AND org_id = 1")) as { id: number; next: number };
    await db.run('UPDATE forms SET next_seq = 9999 WHERE id = ?', form.id);
    try {
      const ids = [randomUUID(), randomUUID()];
      const res = await post(importBody(fileXml(ids.map((id) => ({ id, form: 'Safety Observation' })))));
      const status = await waitForImport(s, (await res.json()).ImportId);
      assert.deepEqual(status.ImportedReports, { [ids[0]]: 'OBS-9999', [ids[1]]: 'OBS-10000' });
    } finally {
      await db.run('DELETE FROM report_fields WHERE report_pk IN (SELECT id FROM reports WHERE form_pk = ? AND seq >= 9999)', form.id);
      await db.run('DELETE FROM reports WHERE form_pk = ? AND seq >= 9999', form.id);
      await db.run('UPDATE forms SET next_seq = ? WHERE id = ?', form.next, form.id);
    }
  });

  test('an invalid file: 400 listing every problem with its path, line and report id; nothing stored', async () => {
    const before = await counts();
    const id = randomUUID();
    const xml = fileXml([
      { id, summary: '' },
      { form: 'No Such Form' },
      { id: 'not-a-guid', extra: '<Colour>red</Colour>' },
    ]);
    const res = await post(importBody(xml));
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.ResponseStatus.ErrorCode, 'InvalidImportFile');
    assert.match(body.ResponseStatus.Message, /nothing was imported/);
    const errors = body.ResponseStatus.Errors as Array<{ ErrorCode: string; FieldName: string; Message: string; Meta: Record<string, string> }>;
    assert.ok(errors.length >= 4, JSON.stringify(errors));
    const summary = errors.find((e) => e.FieldName === 'Reports/Report[1]/Summary');
    assert.ok(summary, JSON.stringify(errors));
    assert.equal(summary.Meta.ReportId, id);
    assert.equal(summary.Meta.Line, '2');
    assert.ok(errors.some((e) => e.FieldName === 'Reports/Report[2]/FormName' && e.ErrorCode === 'UnknownForm'));
    assert.ok(errors.some((e) => e.FieldName === 'Reports/Report[3]/ReportId'));
    assert.ok(errors.some((e) => e.FieldName.startsWith('Reports/Report[3]/Colour')));
    assert.deepEqual(await counts(), before);
  });

  test('bad requests: missing or empty Filename/FileBytes, FileBytes not base64, malformed JSON', async () => {
    const before = await counts();
    const cases: Array<[string, string, string[]]> = [
      ['{}', 'NotEmpty', ['Filename', 'FileBytes']],
      [JSON.stringify({ Filename: '', FileBytes: '' }), 'NotEmpty', ['Filename', 'FileBytes']],
      [JSON.stringify({ Filename: 'a.xml' }), 'NotEmpty', ['FileBytes']],
      [JSON.stringify({ Filename: 'a.xml', FileBytes: 'this is *not* base64!' }), 'SerializationException', ['FileBytes']],
      [JSON.stringify({ Filename: 42, FileBytes: 'PFJlcG9ydHMvPg==' }), 'SerializationException', ['Filename']],
    ];
    for (const [payload, code, fields] of cases) {
      const res = await post(payload);
      assert.equal(res.status, 400, payload);
      const body = await res.json();
      assert.equal(body.ResponseStatus.ErrorCode, code, payload);
      assert.deepEqual(body.ResponseStatus.Errors.map((e: { FieldName: string }) => e.FieldName), fields, payload);
    }
    const broken = await post('{"Filename": "a.xml", ');
    assert.equal(broken.status, 400);
    assert.equal((await broken.json()).ResponseStatus.ErrorCode, 'SerializationException');
    assert.deepEqual(await counts(), before);
  });

  test('files that are not acceptable XML: 400 with a located problem, nothing stored', async () => {
    const before = await counts();
    const cases: Array<[string, Buffer | string, string]> = [
      ['not XML', 'hello, this is plain text', 'XmlSyntax'],
      ['truncated', fileXml([{}]).slice(0, 120), 'XmlSyntax'],
      ['wrong root', '<Incidents xmlns="urn:coruson:reports:import:1"/>', 'InvalidRoot'],
      ['doctype', '<?xml version="1.0"?><!DOCTYPE Reports [<!ENTITY x "y">]><Reports/>', 'DoctypeNotAllowed'],
      ['xxe', '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Reports>&xxe;</Reports>', 'DoctypeNotAllowed'],
      ['billion laughs', '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><Reports>&lol2;</Reports>', 'DoctypeNotAllowed'],
      ['invalid utf-8', Buffer.concat([Buffer.from('<Reports><Report><Summary>'), Buffer.from([0xc3, 0x28]), Buffer.from('</Summary></Report></Reports>')]), 'InvalidUtf8'],
      ['deep nesting', '<Reports>' + '<a>'.repeat(5000) + '</a>'.repeat(5000) + '</Reports>', 'LimitExceeded'],
    ];
    for (const [name, xml, code] of cases) {
      const res = await post(importBody(xml));
      assert.equal(res.status, 400, name);
      const body = await res.json();
      assert.equal(body.ResponseStatus.ErrorCode, 'InvalidImportFile', name);
      const codes = body.ResponseStatus.Errors.map((e: { ErrorCode: string }) => e.ErrorCode);
      assert.ok(codes.includes(code), `${name}: ${JSON.stringify(body.ResponseStatus.Errors)}`);
    }
    assert.deepEqual(await counts(), before);
  });

  test('a file over the size limit: 400 FileTooLarge; a body over the limit: 413', async () => {
    const big = Buffer.alloc(1024 * 1024 + 10, 0x20);
    const res = await post(importBody(big));
    assert.equal(res.status, 400);
    assert.equal((await res.json()).ResponseStatus.ErrorCode, 'FileTooLarge');
    const huge = await post(JSON.stringify({ Filename: 'x', FileBytes: 'A'.repeat(3 * 1024 * 1024) }));
    assert.equal(huge.status, 413);
    assert.equal((await huge.json()).ResponseStatus.ErrorCode, 'RequestEntityTooLarge');
  });

  test('the service stays up after all of that', async () => {
    const res = await post(importBody(fileXml([{}])));
    assert.equal(res.status, 200);
    assert.equal((await waitForImport(s, (await res.json()).ImportId)).StatusDescription, 'Completed');
  });
});
