/**
 * The formats the operation pages document (`/{format}/metadata?op=`), each able to write the
 * sample HTTP request and response of an operation in that format.
 */
import type { Operation } from '../../model/dsl.ts';
import { csvFormat, jsonFormat, jsvFormat, xmlFormat, type WireFormat } from '../formats/index.ts';
import { soapEnvelope, type SoapVersion } from '../soap/envelope.ts';
import { indentXml } from './indent-xml.ts';
import { operationVerbs } from './type-graph.ts';
import { sampleDto } from './sample-values.ts';

export interface PageFormat {
  /** the path segment: `json`, `soap12` */
  readonly name: string;
  readonly label: string;
  sampleRequest(op: Operation, host: string, basePath: string): string;
  sampleResponse(op: Operation): string;
}

// JSV and CSV are whitespace-sensitive: laid out, a sample could no longer be sent as shown
const asWritten = (text: string) => text;
const indentJson = (text: string) => JSON.stringify(JSON.parse(text), null, 2);

/** A format served on the operations' own routes and `/{format}/reply/{Op}`. */
function restPageFormat(f: WireFormat, label: string, layout: (text: string) => string): PageFormat {
  const mime = f.mediaTypes[0];
  return {
    name: f.name,
    label,
    sampleRequest(op, host, basePath) {
      // ServiceStack's choice: the most body-like verb, and the first route that takes a POST
      const verb = operationVerbs(op)[0] ?? 'POST';
      const postRoute = op.routes.find((r) => r.verbs.includes('POST'));
      const path = postRoute ? basePath + postRoute.path : `${basePath}/${f.name}/reply/${op.name}`;
      const body = layout(f.write(op.request, sampleDto(op.request)));
      return `${verb} ${path} HTTP/1.1 \nHost: ${host} \nAccept: ${mime}\nContent-Type: ${mime}\nContent-Length: length\n\n${body}`;
    },
    sampleResponse(op) {
      const body = layout(f.write(op.response, sampleDto(op.response)));
      return `HTTP/1.1 200 OK\nContent-Type: ${mime}\nContent-Length: length\n\n${body}`;
    },
  };
}

/**
 * The envelope laid out as the original pages show it: the Body's element set apart by blank
 * lines, not indented into the envelope.
 */
function sampleEnvelope(version: SoapVersion, bodyXml: string): string {
  const element = indentXml(bodyXml.replace(/^<\?xml[^>]*\?>/, ''));
  return soapEnvelope(version, `\n\n${element}\n\n`)
    .replace(/^(<\?xml[^>]*\?>)/, '$1\n')
    .replace(/(<\w+:Body>)/, '\n    $1')
    .replace(/(<\/\w+:Body>)/, '    $1\n');
}

function soapPageFormat(version: SoapVersion): PageFormat {
  const name = `soap${version}`;
  return {
    name,
    label: `SOAP${version}`,
    sampleRequest(op, host, basePath) {
      const action = version === 11 ? `SOAPAction: ${op.name}\n` : '';
      const envelope = sampleEnvelope(version, xmlFormat.write(op.request, sampleDto(op.request)));
      return `POST ${basePath}/${name} HTTP/1.1 \nHost: ${host} \nContent-Type: text/xml; charset=utf-8\n${action}Content-Length: length\n\n${envelope}`;
    },
    sampleResponse(op) {
      const envelope = sampleEnvelope(version, xmlFormat.write(op.response, sampleDto(op.response)));
      return `HTTP/1.1 200 OK\nContent-Type: ${version === 11 ? 'text/xml' : 'application/soap+xml'}\nContent-Length: length\n\n${envelope}`;
    },
  };
}

export const pageFormats: readonly PageFormat[] = [
  restPageFormat(jsonFormat, 'JSON', indentJson),
  restPageFormat(xmlFormat, 'XML', indentXml),
  restPageFormat(jsvFormat, 'JSV', asWritten),
  restPageFormat(csvFormat, 'CSV', asWritten),
  soapPageFormat(11),
  soapPageFormat(12),
];

export function pageFormat(name: string): PageFormat | undefined {
  return pageFormats.find((f) => f.name === name.toLowerCase());
}
