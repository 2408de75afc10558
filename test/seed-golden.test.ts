/**
 * The samples of the original metadata page (test/fixtures/seed-ImportReportsStatus.txt, verbatim)
 * are golden: for the same values our XML and SOAP 1.2 are the same documents, element for element.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { bearer, startServer, type TestServer } from './support/server.ts';
import { tree, find } from './support/xml-tree.ts';
import { xmlFormat } from '../src/host/formats/index.ts';
import { soapEnvelope } from '../src/host/soap/envelope.ts';
import { ImportReportsStatusRequest, ImportReportsStatusResponse } from '../src/model/reports.ts';

const seed = readFileSync(new URL('./fixtures/seed-ImportReportsStatus.txt', import.meta.url), 'utf8');
const envelopes = [...seed.matchAll(/<\?xml version="1\.0" encoding="utf-8"\?>[\s\S]*?<\/soap12:Envelope>/g)].map((m) => m[0]);
const [requestSample, responseSample] = envelopes;

/** The body element of a sample envelope, as the page shows it. */
function bodyElement(envelope: string): string {
  return /<soap12:Body>\s*([\s\S]*?)\s*<\/soap12:Body>/.exec(envelope)![1];
}

/** The values the page's samples are filled with. */
const sampleRequest = { Version: 0, ImportId: '00000000-0000-0000-0000-000000000000' };
const meta = { String: 'String' };
const sampleResponse = {
  StatusDescription: 'String',
  ResponseStatus: {
    ErrorCode: 'String',
    Message: 'String',
    StackTrace: 'String',
    Errors: [{ ErrorCode: 'String', FieldName: 'String', Message: 'String', Meta: meta }],
    Meta: meta,
  },
  ImportedReports: { '00000000-0000-0000-0000-000000000000': 'String' },
  TotalReportsImported: 0,
  TotalReports: 0,
};

/** The Arrays-namespace prefixes in document order: `d2p1`, `d3p1`, … */
const arrayPrefixes = (xml: string) => [...xml.matchAll(/xmlns:(d\d+p1)="http:\/\/schemas.microsoft.com\/2003\/10\/Serialization\/Arrays"/g)].map((m) => m[1]);

describe('golden samples of the original ImportReportsStatus page', () => {
  test('the page holds a SOAP 1.2 request and response', () => {
    assert.equal(envelopes.length, 2);
    assert.match(requestSample, /<ImportReportsStatus /);
    assert.match(responseSample, /<ImportReportsStatusResponse /);
  });

  test('XML request and response: the same elements, namespaces, order, values and prefixes', () => {
    for (const [dto, value, sample] of [
      [ImportReportsStatusRequest, sampleRequest, bodyElement(requestSample)],
      [ImportReportsStatusResponse, sampleResponse, bodyElement(responseSample)],
    ] as const) {
      const ours = xmlFormat.write(dto, value);
      assert.deepEqual(tree(ours), tree(sample));
      assert.deepEqual(arrayPrefixes(ours), arrayPrefixes(sample));
      // attribute order on the root as .NET Framework writes it: xmlns:i, then xmlns
      assert.equal(/^<\?xml[^>]*\?>(<[^>]*>)/.exec(ours)![1], /^(<[^>]*>)/.exec(sample)![1]);
    }
  });

  test('SOAP 1.2 envelopes: the same documents', () => {
    assert.deepEqual(tree(soapEnvelope(12, xmlFormat.write(ImportReportsStatusRequest, sampleRequest))), tree(requestSample));
    assert.deepEqual(tree(soapEnvelope(12, xmlFormat.write(ImportReportsStatusResponse, sampleResponse))), tree(responseSample));
    // the envelope's own declarations, as on the page
    const ours = soapEnvelope(12, '<X/>');
    assert.equal(/<soap12:Envelope[^>]*>/.exec(ours)![0], /<soap12:Envelope[^>]*>/.exec(responseSample)![0]);
  });
});

let s: TestServer;
before(async () => { s = await startServer({ worker: false }); });
after(async () => { await s.close(); });

describe('the sample request sent to the service', () => {
  test('the page\'s SOAP 1.2 request is understood; the answer has the sample response\'s shape', async () => {
    const res = await fetch(`${s.api}/soap12`, {
      method: 'POST',
      headers: { ...bearer(s.apiKey), 'content-type': 'text/xml; charset=utf-8' },
      body: requestSample,
    });
    assert.equal(res.status, 200);
    // the empty GUID names no import: ServiceStack's SOAP errors are HTTP 200 with the status in X-Status
    assert.equal(res.headers.get('x-status'), '404');
    const ours = tree(await res.text());
    const sample = tree(responseSample);
    assert.equal(ours.name, sample.name);
    const names = (n: ReturnType<typeof tree>) => find(n, 'ImportReportsStatusResponse')!.children.map((c) => c.name);
    assert.deepEqual(names(ours), names(sample));
    assert.equal(find(ours, 'ErrorCode')!.text, 'NotFound');
  });
});
