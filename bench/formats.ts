/**
 * ImportReportsStatus under load in JSON, XML and SOAP 1.2, for the same import: the XML and
 * SOAP writers against the JSON one (target: at least 70% of JSON's rate), and each against the
 * bare Fastify routes that run.ts measures in the same run (one serving the JSON body, one the
 * XML body: DataContract XML is about three times the JSON's size).
 */
import { writeFileSync } from 'node:fs';
import { soapEnvelope } from '../src/host/soap/envelope.ts';

export interface LoadResult { rps: number; p99: number; p50: number; errors: number; non2xx: number }
type Load = (url: string, headers: Record<string, string>, request?: { method: 'POST'; body: string }) => Promise<LoadResult>;

/** `xmlFile` receives the XML status body, for the bare Fastify baseline to serve. */
export async function benchFormats(serviceUrl: string, importId: string, apiKey: string, load: Load, xmlFile: string) {
  const auth = { authorization: `Bearer ${apiKey}` };
  const statusUrl = `${serviceUrl}/api/reports/import/status/${importId}`;
  const soapBody = soapEnvelope(12, `<ImportReportsStatus xmlns="http://schemas.servicestack.net/types"><Version>0</Version><ImportId>${importId}</ImportId></ImportReportsStatus>`);
  const soapCheck = await fetch(`${serviceUrl}/api/soap12`, { method: 'POST', headers: { ...auth, 'content-type': 'application/soap+xml; charset=utf-8' }, body: soapBody });
  const soapText = await soapCheck.text();
  if (soapCheck.headers.get('x-status') || !soapText.includes('<TotalReports>')) throw new Error(`SOAP status failed: ${soapText.slice(0, 300)}`);
  const xmlBody = Buffer.from(await (await fetch(statusUrl, { headers: { ...auth, accept: 'application/xml' } })).arrayBuffer());
  writeFileSync(xmlFile, xmlBody);
  const xmlBytes = xmlBody.length;

  const json = await load(statusUrl, { ...auth, accept: 'application/json' });
  const xml = await load(statusUrl, { ...auth, accept: 'application/xml' });
  const soap12 = await load(`${serviceUrl}/api/soap12`, { ...auth, 'content-type': 'application/soap+xml; charset=utf-8' }, { method: 'POST', body: soapBody });
  return { json, xml, soap12, xmlBodyBytes: xmlBytes, soapBodyBytes: Buffer.byteLength(soapText), xmlToJson: xml.rps / json.rps, soapToJson: soap12.rps / json.rps };
}

export function printFormats(r: Awaited<ReturnType<typeof benchFormats>>, bare: LoadResult, bareXml: LoadResult, fmt: (n: number) => string) {
  console.log(`\nImportReportsStatus by format (same import; XML body ${fmt(r.xmlBodyBytes / 1024)} KB, SOAP ${fmt(r.soapBodyBytes / 1024)} KB)`);
  for (const [name, x] of [['JSON', r.json], ['XML', r.xml], ['SOAP 1.2', r.soap12]] as const) {
    console.log(`  ${name.padEnd(9)} ${fmt(x.rps).padStart(7)} req/s   p50 ${x.p50} ms   p99 ${x.p99} ms   non-2xx ${x.non2xx}   ${((x.rps / bare.rps) * 100).toFixed(0)}% of bare Fastify`);
  }
  console.log(`  bare Fastify, same XML body ${fmt(bareXml.rps).padStart(7)} req/s   p50 ${bareXml.p50} ms   p99 ${bareXml.p99} ms   (what the XML body's size alone allows)`);
  console.log(`  XML / JSON: ${(r.xmlToJson * 100).toFixed(0)}%   SOAP 1.2 / JSON: ${(r.soapToJson * 100).toFixed(0)}%   (target: >= 70%)`);
  console.log(`  XML / bare XML: ${((r.xml.rps / bareXml.rps) * 100).toFixed(0)}%   SOAP 1.2 / bare XML: ${((r.soap12.rps / bareXml.rps) * 100).toFixed(0)}%`);
}
