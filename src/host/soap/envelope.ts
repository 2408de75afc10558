/**
 * SOAP 1.1 and 1.2 messages as ServiceStack exchanges them: the body element is the request
 * DTO's DataContract XML, the operation is named by that element, the response is the
 * `…Response` DTO in an envelope of the same version. Errors are not SOAP faults: the response
 * DTO with its ResponseStatus filled goes out with HTTP 200 and the real status in `X-Status`.
 */
import type { Operation } from '../../model/dsl.ts';
import { Errors } from '../../shared/errors.ts';
import type { WireFormat } from '../formats/format.ts';
import { parseXmlTree, type XmlElement } from '../formats/xml-reader.ts';
import { encodeXmlElement, writeXmlElement, xmlDeclaration } from '../formats/xml-writer.ts';
import { xmlFormat } from '../formats/xml.ts';
import { typesNs } from '../formats/xml-names.ts';

export type SoapVersion = 11 | 12;

const envelopeNs: Record<SoapVersion, string> = {
  11: 'http://schemas.xmlsoap.org/soap/envelope/',
  12: 'http://www.w3.org/2003/05/soap-envelope',
};

const prefixes: Record<SoapVersion, string> = { 11: 'soap', 12: 'soap12' };

const leadingDeclaration = /^\s*<\?xml[^>]*\?>\s*/;

/** The envelope around a body element; an error's status also goes in an `X-Status` SOAP header, as ServiceStack adds it. */
function envelopeParts(version: SoapVersion, status?: number): [string, string] {
  const p = prefixes[version];
  const header = status === undefined ? '' : `<${p}:Header><X-Status xmlns="${typesNs}">${status}</X-Status></${p}:Header>`;
  return [
    `${xmlDeclaration}<${p}:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:${p}="${envelopeNs[version]}">${header}<${p}:Body>`,
    `</${p}:Body></${p}:Envelope>`,
  ];
}

const envelopes: Record<SoapVersion, [string, string]> = { 11: envelopeParts(11), 12: envelopeParts(12) };

/** Wraps one XML body element (an XML declaration on it is dropped) in an envelope of that version. */
export function soapEnvelope(version: SoapVersion, bodyXml: string): string {
  const [open, close] = envelopes[version];
  return open + bodyXml.replace(leadingDeclaration, '') + close;
}

function soapFormat(version: SoapVersion, status?: number): WireFormat {
  const [open, close] = status === undefined ? envelopes[version] : envelopeParts(version, status);
  return {
    name: `soap${version}`,
    contentType: version === 11 ? 'text/xml; charset=utf-8' : 'application/soap+xml; charset=utf-8',
    mediaTypes: [version === 11 ? 'text/xml' : 'application/soap+xml'],
    errorsAsOk: true,
    forErrorStatus: (s) => soapFormat(version, s),
    // the element carries no declaration: no need to look for one in a large body
    write: (dto, value) => open + writeXmlElement(dto, value) + close,
    encode: (dto, value) => encodeXmlElement(dto, value, open, close),
    read: xmlFormat.read,
  };
}

export const soapFormats: Record<SoapVersion, WireFormat> = { 11: soapFormat(11), 12: soapFormat(12) };

export interface SoapRequest {
  op: Operation;
  /** the request DTO's element, to be read against the operation's declaration */
  element: XmlElement;
}

/** Finds the operation a SOAP message is for; throws for anything that is not a message of this version naming one. */
export function readSoapMessage(version: SoapVersion, body: Buffer | undefined, operation: (name: string) => Operation | undefined): SoapRequest {
  const what = `SOAP ${version === 11 ? '1.1' : '1.2'}`;
  if (!body || body.length === 0) throw Errors.malformedBody(what, 'the request has no body');
  const root = parseXmlTree(body, what);
  const other: SoapVersion = version === 11 ? 12 : 11;
  if (root.local === 'Envelope' && root.uri === envelopeNs[other]) {
    throw Errors.malformedBody(what, `this endpoint takes SOAP ${version === 11 ? '1.1' : '1.2'} envelopes; this is a SOAP ${other === 11 ? '1.1' : '1.2'} envelope (post it to /api/soap${other})`);
  }
  if (root.local !== 'Envelope' || root.uri !== envelopeNs[version]) {
    throw Errors.malformedBody(what, `expected an <Envelope> in ${envelopeNs[version]}, found <${root.local}>`);
  }
  const soapBody = root.children.find((c) => c.local === 'Body' && c.uri === envelopeNs[version]);
  if (!soapBody) throw Errors.malformedBody(what, 'the envelope has no Body');
  const element = soapBody.children[0];
  if (!element) throw Errors.malformedBody(what, 'the SOAP Body is empty; it must hold the request element');
  const op = operation(element.local);
  if (!op) throw Errors.unknownOperation(element.local);
  return { op, element };
}
