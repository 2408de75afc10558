/**
 * The WSDL served by GET /api/soap11 and /api/soap12, after ServiceStack's templates: one
 * document/literal operation per request-reply operation, `{Op}In`/`{Op}Out` messages, port type
 * ISyncReply, SOAPAction `{namespace}/{Op}`, the endpoint at the URL the WSDL was fetched from.
 */
import type { Operation } from '../../model/dsl.ts';
import { typesNs } from '../formats/xml-names.ts';
import { xmlDeclaration } from '../formats/xml-writer.ts';
import type { SoapVersion } from './envelope.ts';
import { xsdSchemas } from './xsd.ts';

const bindingNs: Record<SoapVersion, string> = {
  11: 'http://schemas.xmlsoap.org/wsdl/soap/',
  12: 'http://schemas.xmlsoap.org/wsdl/soap12/',
};

export function wsdl(version: SoapVersion, operations: readonly Operation[], location: string): string {
  const soap = version === 11 ? 'soap' : 'soap12';
  const binding = version === 11 ? 'BasicHttpBinding_ISyncReply' : 'WSHttpBinding_ISyncReply';
  const messages = operations.map((op) =>
    `<wsdl:message name="${op.name}In"><wsdl:part name="par" element="tns:${op.request.name}"/></wsdl:message>` +
    `<wsdl:message name="${op.name}Out"><wsdl:part name="par" element="tns:${op.response.name}"/></wsdl:message>`);
  const portOps = operations.map((op) =>
    `<wsdl:operation name="${op.name}"><wsdl:input message="svc:${op.name}In"/><wsdl:output message="svc:${op.name}Out"/></wsdl:operation>`);
  const bindingOps = operations.map((op) =>
    `<wsdl:operation name="${op.name}"><${soap}:operation soapAction="${typesNs}/${op.name}" style="document"/>` +
    `<wsdl:input><${soap}:body use="literal"/></wsdl:input><wsdl:output><${soap}:body use="literal"/></wsdl:output></wsdl:operation>`);
  return xmlDeclaration +
    `<wsdl:definitions name="Soap${version}" targetNamespace="${typesNs}" xmlns:svc="${typesNs}" xmlns:tns="${typesNs}" ` +
    `xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:${soap}="${bindingNs[version]}" xmlns:xs="http://www.w3.org/2001/XMLSchema">` +
    `<wsdl:types>${xsdSchemas(operations).join('')}</wsdl:types>` +
    messages.join('') +
    `<wsdl:portType name="ISyncReply">${portOps.join('')}</wsdl:portType>` +
    `<wsdl:binding name="${binding}" type="svc:ISyncReply"><${soap}:binding transport="http://schemas.xmlsoap.org/soap/http"/>${bindingOps.join('')}</wsdl:binding>` +
    `<wsdl:service name="SyncReply"><wsdl:port name="${binding}" binding="svc:${binding}"><${soap}:address location="${escapeAttr(location)}"/></wsdl:port></wsdl:service>` +
    `</wsdl:definitions>`;
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}
