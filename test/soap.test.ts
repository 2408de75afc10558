import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import soap from 'soap';
import { bearer, startServer, type TestServer } from './support/server.ts';
import { fileXml } from './support/xml.ts';
import { childText, find, tree } from './support/xml-tree.ts';

let s: TestServer;
before(async () => { s = await startServer(); });
after(async () => { await s.close(); });

const env11 = 'http://schemas.xmlsoap.org/soap/envelope/';
const env12 = 'http://www.w3.org/2003/05/soap-envelope';
const types = 'http://schemas.servicestack.net/types';

function envelope(ns: string, body: string): string {
  return `<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="${ns}"><s:Body>${body}</s:Body></s:Envelope>`;
}

async function post(version: 11 | 12, body: string, headers: Record<string, string> = bearer(s.apiKey)) {
  const res = await fetch(`${s.api}/soap${version}`, {
    method: 'POST',
    headers: { 'content-type': version === 11 ? 'text/xml; charset=utf-8' : 'application/soap+xml; charset=utf-8', ...headers },
    body,
  });
  return { res, doc: tree(await res.text()) };
}

async function pollWithClient(client: any, importId: string) {
  for (let i = 0; i < 400; i++) {
    const [status] = await client.ImportReportsStatusAsync({ Version: 0, ImportId: importId });
    if (status.StatusDescription === 'Completed' || status.StatusDescription === 'Failed') return status;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('import did not complete');
}

describe('WSDL', () => {
  test('GET /api/soap11, /api/soap12 and ?wsdl return a WSDL naming every operation and the endpoint', async () => {
    for (const [path, binding] of [['soap11', 'BasicHttpBinding_ISyncReply'], ['soap12', 'WSHttpBinding_ISyncReply'], ['soap12?wsdl', 'WSHttpBinding_ISyncReply'], ['SOAP11/?wsdl', 'BasicHttpBinding_ISyncReply']]) {
      const res = await fetch(`${s.api}/${path}`);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('content-type'), 'text/xml; charset=utf-8');
      const text = await res.text();
      const doc = tree(text);
      assert.equal(doc.name, '{http://schemas.xmlsoap.org/wsdl/}definitions');
      assert.match(text, new RegExp(`<wsdl:binding name="${binding}"`));
      for (const op of ['ImportReports', 'ImportReportsStatus']) {
        assert.match(text, new RegExp(`soapAction="${types}/${op}"`));
        assert.match(text, new RegExp(`<xs:element name="${op}Response" nillable="true" type="tns:${op}Response"/>`));
      }
      assert.match(text, new RegExp(`location="${s.api}/soap1[12]"`, 'i'));
    }
  });
});

describe('the npm soap client, built from the WSDL URL alone', () => {
  for (const version of [12, 11] as const) {
    test(`SOAP ${version}: imports a file and polls its status until complete`, async () => {
      // the soap package speaks SOAP 1.2 only when asked; everything else comes from the WSDL
      const client = await soap.createClientAsync(`${s.api}/soap${version}`, { forceSoap12Headers: version === 12 });
      client.addHttpHeader('Authorization', `Bearer ${s.apiKey}`);
      const [imported] = await client.ImportReportsAsync({
        Version: 0,
        Filename: 'reports.xml',
        FileBytes: Buffer.from(fileXml([{}, {}, {}, {}])).toString('base64'),
      });
      assert.equal(imported.ResponseStatus ?? null, null);
      assert.match(imported.ImportId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const status = await pollWithClient(client, imported.ImportId);
      assert.equal(status.StatusDescription, 'Completed');
      assert.equal(status.TotalReports, 4);
      assert.equal(status.TotalReportsImported, 4);
      const entries = status.ImportedReports.KeyValueOfguidstring;
      assert.equal(entries.length, 4);
      for (const e of entries) assert.match(e.Value, /^OCC-\d+$/);
      // a read operation with a list of DTOs, enums, nullable dates and a generic base class
      const [page] = await client.GetReportsAsync({ Take: 2, OrderBy: 'Number' });
      assert.equal(page.ResponseStatus ?? null, null);
      assert.equal(page.Take, 2);
      assert.ok(page.TotalResults >= 4);
      assert.equal(page.Reports.Report.length, 2);
      for (const r of page.Reports.Report) {
        assert.match(r.Number, /^OCC-\d+$/);
        assert.match(r.ReportStatus, /^(Draft|New|Open|Closed)$/);
      }
    });
  }

  test('an error reaches the soap client as a filled ResponseStatus', async () => {
    const client = await soap.createClientAsync(`${s.api}/soap12?wsdl`, { forceSoap12Headers: true });
    client.addHttpHeader('Authorization', `Bearer ${s.apiKey}`);
    const [status] = await client.ImportReportsStatusAsync({ Version: 0, ImportId: '6f1c2b3a-4d5e-4f70-8192-a3b4c5d6e7f8' });
    assert.equal(status.ResponseStatus.ErrorCode, 'NotFound');
  });
});

describe('SOAP errors: HTTP 200, X-Status, ResponseStatus, in the endpoint\'s SOAP version', () => {
  const statusOf = (doc: ReturnType<typeof tree>) => find(doc, 'ResponseStatus')!;

  test('the operation\'s own response carries the error; the status is in X-Status', async () => {
    const { res, doc } = await post(11, envelope(env11, `<ImportReports xmlns="${types}"><Filename>a.xml</Filename></ImportReports>`));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-status'), '400');
    assert.equal(res.headers.get('content-type'), 'text/xml; charset=utf-8');
    assert.equal(doc.name, `{${env11}}Envelope`);
    assert.equal(find(doc, 'ImportReportsResponse')!.name, `{${types}}ImportReportsResponse`);
    assert.equal(childText(statusOf(doc), 'ErrorCode'), 'NotEmpty');
    assert.equal(childText(find(doc, 'ResponseError')!, 'FieldName'), 'FileBytes');
    // the status is in the envelope too, as a SOAP header
    const header = doc.children.find((c) => c.name === `{${env11}}Header`)!;
    assert.deepEqual(header.children.map((c) => [c.name, c.text]), [[`{${types}}X-Status`, '400']]);
  });

  test('no credentials: X-Status 401, nothing run', async () => {
    const { res, doc } = await post(12, envelope(env12, `<ImportReportsStatus xmlns="${types}"><ImportId>6f1c2b3a-4d5e-4f70-8192-a3b4c5d6e7f8</ImportId></ImportReportsStatus>`), {});
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-status'), '401');
    assert.equal(res.headers.get('content-type'), 'application/soap+xml; charset=utf-8');
    assert.equal(childText(statusOf(doc), 'ErrorCode'), 'Unauthorized');
  });

  const bad: Array<[string, 11 | 12, string, string, string]> = [
    ['a SOAP 1.1 envelope at /soap12', 12, envelope(env11, `<ImportReportsStatus xmlns="${types}"/>`), '400', 'SerializationException'],
    ['a SOAP 1.2 envelope at /soap11', 11, envelope(env12, `<ImportReportsStatus xmlns="${types}"/>`), '400', 'SerializationException'],
    ['an unknown body element', 12, envelope(env12, `<DeleteEverything xmlns="${types}"/>`), '405', 'NotImplementedException'],
    ['an empty SOAP body', 12, envelope(env12, ''), '400', 'SerializationException'],
    ['no body at all', 11, '', '400', 'SerializationException'],
    ['malformed XML', 12, '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>', '400', 'SerializationException'],
    ['not an envelope', 11, `<ImportReportsStatus xmlns="${types}"/>`, '400', 'SerializationException'],
    ['a DOCTYPE', 12, `<!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]>${envelope(env12, '&x;').replace(/^<\?xml[^>]*\?>/, '')}`, '400', 'SerializationException'],
    ['a bad GUID', 12, envelope(env12, `<ImportReportsStatus xmlns="${types}"><ImportId>nope</ImportId></ImportReportsStatus>`), '400', 'SerializationException'],
  ];
  for (const [what, version, body, status, code] of bad) {
    test(what, async () => {
      const { res, doc } = await post(version, body);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-status'), status);
      assert.equal(doc.name, `{${version === 11 ? env11 : env12}}Envelope`);
      assert.equal(childText(statusOf(doc), 'ErrorCode'), code);
      assert.ok(childText(statusOf(doc), 'Message')!.length > 10);
    });
  }

  test('a wrong-version envelope says which endpoint to use', async () => {
    const { doc } = await post(12, envelope(env11, `<ImportReportsStatus xmlns="${types}"/>`));
    assert.match(childText(statusOf(doc), 'Message')!, /SOAP 1\.1 envelope.*\/api\/soap11/);
  });

  test('verbs other than GET and POST: X-Status 405', async () => {
    const res = await fetch(`${s.api}/soap12`, { method: 'DELETE' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-status'), '405');
  });
});
