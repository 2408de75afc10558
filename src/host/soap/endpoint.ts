/** What the host needs to serve /api/soap11 and /api/soap12: which path is which, the WSDL, request binding. */
import type { Operation } from '../../model/dsl.ts';
import { Errors, type FieldError } from '../../shared/errors.ts';
import { validate } from '../binding.ts';
import { readXmlDto } from '../formats/xml-reader.ts';
import type { XmlElement } from '../formats/xml-reader.ts';
import type { SoapVersion } from './envelope.ts';
import { wsdl } from './wsdl.ts';

const soapPath = /^\/soap(11|12)\/?$/i;

/** 11 or 12 for the SOAP endpoints (path relative to the API base), else undefined. */
export function soapVersionOf(path: string): SoapVersion | undefined {
  const m = soapPath.exec(path);
  return m ? (Number(m[1]) as SoapVersion) : undefined;
}

export const wsdlContentType = 'text/xml; charset=utf-8';

/** WSDLs by version and endpoint URL: the document names the URL it was fetched from. */
export class WsdlCache {
  private readonly texts = new Map<string, string>();
  constructor(private readonly operations: readonly Operation[]) {}

  get(version: SoapVersion, location: string): string {
    const key = `${version} ${location}`;
    let text = this.texts.get(key);
    if (text === undefined) {
      text = wsdl(version, this.operations, location);
      // a Host header is client-chosen: keep only a few
      if (this.texts.size >= 16) this.texts.clear();
      this.texts.set(key, text);
    }
    return text;
  }
}

/** The request DTO from a SOAP body element, checked by the operation's declared rules. */
export function bindSoapRequest(op: Operation, element: XmlElement): Record<string, unknown> {
  const errors: FieldError[] = [];
  const dto = readXmlDto(op.request, element, '', errors);
  if (errors.length) throw Errors.unbindable(op.request.name, errors);
  validate(op.request, dto);
  return dto;
}
