import type { WireFormat } from './format.ts';
import { encodeXmlElement, writeXmlElement, xmlDeclaration } from './xml-writer.ts';
import { readXmlRequest } from './xml-reader.ts';

export const xmlFormat: WireFormat = {
  name: 'xml',
  contentType: 'application/xml',
  mediaTypes: ['application/xml', 'text/xml'],
  write: (dto, value) => xmlDeclaration + writeXmlElement(dto, value),
  encode: (dto, value) => encodeXmlElement(dto, value, xmlDeclaration, ''),
  read: readXmlRequest,
};
