/**
 * The XSD in our WSDL describes exactly what the XML format writes: an independent validator
 * (libxml2 as WebAssembly) accepts our documents for every operation's request and response,
 * filled and empty, and refuses one with members out of order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateXML } from 'xmllint-wasm';
import { operations } from '../src/model/index.ts';
import { ErrorResponse } from '../src/model/common.ts';
import { xmlFormat } from '../src/host/formats/index.ts';
import { xsdSchemas } from '../src/host/soap/xsd.ts';
import { sampleDto } from '../src/host/metadata/sample-values.ts';

const [types, arrays, serialization] = xsdSchemas(operations);
// the WSDL carries the three schemas inline; a standalone validator needs to be told where each import is
const located = (schema: string) =>
  schema
    .replace('<xs:import namespace="http://schemas.microsoft.com/2003/10/Serialization/Arrays"/>', '<xs:import namespace="http://schemas.microsoft.com/2003/10/Serialization/Arrays" schemaLocation="arrays.xsd"/>')
    .replace('<xs:import namespace="http://schemas.microsoft.com/2003/10/Serialization/"/>', '<xs:import namespace="http://schemas.microsoft.com/2003/10/Serialization/" schemaLocation="ser.xsd"/>')
    .replace('<xs:import namespace="http://schemas.servicestack.net/types"/>', '');

test('every request and response the XML format writes validates against the WSDL\'s XSD', async () => {
  const docs: Record<string, string> = {};
  for (const op of operations) {
    for (const d of [op.request, op.response]) {
      docs[`${d.name}-filled.xml`] = xmlFormat.write(d, sampleDto(d));
      docs[`${d.name}-empty.xml`] = xmlFormat.write(d, {});
    }
  }
  docs['ErrorResponse.xml'] = xmlFormat.write(ErrorResponse, { ResponseStatus: { ErrorCode: 'NotFound', Message: 'x', Errors: [{ ErrorCode: 'a', FieldName: 'b', Message: 'c' }] } });
  const first = operations[0].request;
  const swapped = xmlFormat.write(first, sampleDto(first)).replace(/<Version>0<\/Version>(.*?)(<\/\w+>)$/, '$1<Version>0</Version>$2');
  docs['out-of-order.xml'] = swapped;

  const result = await validateXML({
    xml: Object.entries(docs).map(([fileName, contents]) => ({ fileName, contents })),
    schema: [located(types)],
    preload: [
      { fileName: 'arrays.xsd', contents: located(arrays) },
      { fileName: 'ser.xsd', contents: located(serialization) },
    ],
    maxMemoryPages: 4096,
  });
  for (const name of Object.keys(docs)) {
    const ok = new RegExp(`^${name.replace(/\./g, '\\.')} validates$`, 'm').test(result.rawOutput);
    assert.equal(ok, name !== 'out-of-order.xml', `${name}: ${result.rawOutput}`);
  }
});
