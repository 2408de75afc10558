import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearer, startServer, waitForImport, type TestServer } from './support/server.ts';
import { fileXml } from './support/xml.ts';
import { childText, find, tree } from './support/xml-tree.ts';
import { xmlFormat } from '../src/host/formats/index.ts';
import { dto, enumeration, member, t } from '../src/model/dsl.ts';
import { ResponseBase } from '../src/model/common.ts';
import { ImportReportsRequest } from '../src/model/reports.ts';

const arrays = 'http://schemas.microsoft.com/2003/10/Serialization/Arrays';
const types = 'http://schemas.servicestack.net/types';
const nil = '{http://www.w3.org/2001/XMLSchema-instance}nil';

// shapes like the read operations': nested DTO lists, enums, nullable members, a base class with a list
const Status = enumeration('ItemStatus', ['All', 'Draft', 'Open'] as const);
const Link = dto('Link', { members: { Name: member(t.string), RequestUrl: member(t.string), Method: member(t.string) } });
const PageBase = dto('PageBase', { base: ResponseBase, members: { TotalResults: member(t.int), Links: member(t.list(t.ref(Link))) } });
const Item = dto('Item', {
  members: {
    ItemId: member(t.guid),
    Status: member(t.enum(Status)),
    ClosedDate: member(t.dateTime, { nullable: true }),
    Revision: member(t.int, { nullable: true }),
    Tags: member(t.list(t.string)),
    Payload: member(t.bytes),
  },
});
const Page = dto('ItemsPage', { base: PageBase, members: { Items: member(t.list(t.ref(Item))) } });

const page = {
  TotalResults: 2,
  Links: [{ Name: 'next', RequestUrl: '/api/items?Skip=2', Method: 'GET' }],
  Items: [
    { ItemId: '4583b364-bbdc-427f-a289-c2923debd547', Status: 'Open', ClosedDate: new Date('2026-03-02T09:00:00Z'), Revision: 3, Tags: ['a & b', '<c>'], Payload: Buffer.from([1, 2, 3]) },
    { ItemId: '00000000-0000-0000-0000-000000000001', Status: 'Draft', Tags: [] },
  ],
};

describe('XML writer and reader over any declaration', () => {
  test('base members first, declared order, i:nil for nulls, Arrays namespace for primitive lists, contract lists in the types namespace', () => {
    const doc = tree(xmlFormat.write(Page, page));
    assert.equal(doc.name, `{${types}}ItemsPage`);
    assert.deepEqual(doc.children.map((c) => c.name.split('}')[1]), ['StatusDescription', 'ResponseStatus', 'TotalResults', 'Links', 'Items']);
    assert.equal(doc.children[0].attributes[nil], 'true');
    const items = find(doc, 'Items')!;
    assert.deepEqual(items.children.map((c) => c.name), [`{${types}}Item`, `{${types}}Item`]);
    const [first, second] = items.children;
    assert.deepEqual(first.children.map((c) => c.name.split('}')[1]), ['ItemId', 'Status', 'ClosedDate', 'Revision', 'Tags', 'Payload']);
    assert.equal(childText(first, 'ClosedDate'), '2026-03-02T09:00:00Z');
    assert.equal(childText(first, 'Payload'), 'AQID');
    const tags = find(first, 'Tags')!;
    assert.deepEqual(tags.children.map((c) => [c.name, c.text]), [[`{${arrays}}string`, 'a & b'], [`{${arrays}}string`, '<c>']]);
    // nullable value types are nil when absent; Tags empty but present
    assert.equal(find(second, 'ClosedDate')!.attributes[nil], 'true');
    assert.equal(find(second, 'Revision')!.attributes[nil], 'true');
    assert.equal(find(second, 'Tags')!.children.length, 0);
    assert.equal(find(second, 'Payload')!.attributes[nil], 'true');
    assert.equal(find(doc, 'Link')!.children.length, 3);
  });

  test('the dNp1 prefix follows the nesting depth of the collection element', () => {
    const text = xmlFormat.write(Page, page);
    assert.match(text, /<Tags xmlns:d4p1="http:\/\/schemas.microsoft.com\/2003\/10\/Serialization\/Arrays"><d4p1:string>a &amp; b<\/d4p1:string><d4p1:string>&lt;c&gt;<\/d4p1:string><\/Tags>/);
    assert.match(text, /^<\?xml version="1.0" encoding="utf-8"\?><ItemsPage xmlns:i="http:\/\/www.w3.org\/2001\/XMLSchema-instance" xmlns="http:\/\/schemas.servicestack.net\/types">/);
  });

  test('what is written reads back to the same values', () => {
    const errors: any[] = [];
    const back = xmlFormat.read(Page, Buffer.from(xmlFormat.write(Page, page)), errors);
    assert.deepEqual(errors, []);
    assert.equal(back.TotalResults, 2);
    assert.deepEqual(back.Links, page.Links);
    const items = back.Items as any[];
    assert.equal(items[0].ItemId, page.Items[0].ItemId);
    assert.equal(items[0].Status, 'Open');
    assert.equal((items[0].ClosedDate as Date).toISOString(), '2026-03-02T09:00:00.000Z');
    assert.deepEqual(items[0].Tags, ['a & b', '<c>']);
    assert.deepEqual([...items[0].Payload], [1, 2, 3]);
    assert.equal(items[1].ClosedDate, null);
    assert.equal(items[1].Revision, null);
  });

  test('bad values are reported per member; a DOCTYPE is refused before anything is expanded', () => {
    const errors: any[] = [];
    xmlFormat.read(Page, Buffer.from(`<ItemsPage xmlns="${types}"><TotalResults>many</TotalResults><Items><Item><Status>Shut</Status></Item></Items></ItemsPage>`), errors);
    assert.deepEqual(errors.map((e) => e.fieldName), ['TotalResults', 'Items[0].Status']);
    assert.throws(
      () => xmlFormat.read(ImportReportsRequest, Buffer.from('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><ImportReports>&e;</ImportReports>'), []),
      (e: any) => e.errorCode === 'SerializationException' && /DOCTYPE/.test(e.message),
    );
    assert.throws(() => xmlFormat.read(ImportReportsRequest, Buffer.from('<Other/>'), []), /expected the root element <ImportReports>/);
  });
});

let s: TestServer;
before(async () => { s = await startServer(); });
after(async () => { await s.close(); });

function importXml(fileText: string): string {
  return `<ImportReports xmlns:i="http://www.w3.org/2001/XMLSchema-instance" xmlns="${types}"><Version>0</Version><Filename>reports.xml</Filename>` +
    `<FileBytes>${Buffer.from(fileText).toString('base64')}</FileBytes></ImportReports>`;
}

describe('XML over HTTP', () => {
  test('an import sent as XML, its status read as XML', async () => {
    const res = await fetch(`${s.api}/reports/import`, {
      method: 'POST',
      headers: { ...bearer(s.apiKey), 'content-type': 'application/xml', accept: 'application/xml' },
      body: importXml(fileXml([{}, {}, {}])),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/xml');
    const doc = tree(await res.text());
    assert.equal(doc.name, `{${types}}ImportReportsResponse`);
    const importId = childText(doc, 'ImportId')!;
    assert.match(importId, /^[0-9a-f]{8}-[0-9a-f]{4}-/);
    await waitForImport(s, importId);
    const status = await fetch(`${s.api}/reports/import/status/${importId}.xml`, { headers: bearer(s.apiKey) });
    assert.equal(status.headers.get('content-type'), 'application/xml');
    const st = tree(await status.text());
    assert.equal(childText(st, 'TotalReports'), '3');
    assert.equal(childText(st, 'StatusDescription'), 'Completed');
    const entries = find(st, 'ImportedReports')!.children;
    assert.equal(entries.length, 3);
    assert.equal(entries[0].name, `{${arrays}}KeyValueOfguidstring`);
    assert.match(entries[0].children[1].text, /^OCC-\d+$/);
  });

  test('a read operation in XML: nested Report list in the types namespace, query binding, paging links', async () => {
    const res = await fetch(`${s.api}/reports.xml?Take=2&OrderBy=Number`, { headers: bearer(s.apiKey) });
    assert.equal(res.status, 200);
    const doc = tree(await res.text());
    assert.equal(doc.name, `{${types}}GetReportsResponse`);
    assert.deepEqual(doc.children.map((c) => c.name.split('}')[1]), ['StatusDescription', 'ResponseStatus', 'TotalResults', 'Skip', 'Take', 'Links', 'Reports']);
    const reports = find(doc, 'Reports')!.children;
    assert.equal(reports.length, 2);
    assert.equal(reports[0].name, `{${types}}Report`);
    assert.match(childText(reports[0], 'Number')!, /^OCC-\d+$/);
    assert.equal(find(reports[0], 'ClosedDate')!.attributes[nil], 'true');
  });

  test('malformed XML and a DOCTYPE: 400 SerializationException written as XML', async () => {
    for (const body of ['<ImportReports><Filename>x</ImportReports>', '<!DOCTYPE a [<!ENTITY b "c">]><ImportReports/>']) {
      const res = await fetch(`${s.api}/xml/reply/ImportReports`, { method: 'POST', headers: bearer(s.apiKey), body });
      assert.equal(res.status, 400);
      assert.equal(res.headers.get('content-type'), 'application/xml');
      const doc = tree(await res.text());
      assert.equal(doc.name, `{${types}}ImportReportsResponse`);
      assert.equal(childText(find(doc, 'ResponseStatus')!, 'ErrorCode'), 'SerializationException');
    }
  });

  test('a missing required member in an XML body: 400 NotEmpty in XML, nothing stored', async () => {
    const res = await fetch(`${s.api}/reports/import`, {
      method: 'POST',
      headers: { ...bearer(s.apiKey), 'content-type': 'text/xml; charset=utf-8', accept: 'application/xml' },
      body: `<ImportReports xmlns="${types}"><Filename>a.xml</Filename></ImportReports>`,
    });
    assert.equal(res.status, 400);
    const rs = find(tree(await res.text()), 'ResponseStatus')!;
    assert.equal(childText(rs, 'ErrorCode'), 'NotEmpty');
    assert.equal(childText(find(rs, 'ResponseError')!, 'FieldName'), 'FileBytes');
  });
});
