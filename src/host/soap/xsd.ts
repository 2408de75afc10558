/**
 * The XML Schema of every type the SOAP operations exchange, in the shape .NET's
 * XsdDataContractExporter gives it: one schema for the contract types, one for the Arrays
 * namespace (lists of primitives, dictionaries), one for the Serialization namespace (guid).
 * Members are optional and in DataContract order (base type by extension), so a client
 * generated from it writes and reads exactly what the XML format does.
 */
import type { Dto, Member, Operation, TypeRef } from '../../model/dsl.ts';
import { ErrorResponse } from '../../model/common.ts';
import { isValueType } from '../dto-shape.ts';
import { arraysNs, contractName, dtoContractName, inArraysNs, keyValueName, serializationNs, typesNs } from '../formats/xml-names.ts';

const xs = 'http://www.w3.org/2001/XMLSchema';

const primitiveXsd: Record<string, string> = {
  string: 'xs:string',
  int: 'xs:int',
  long: 'xs:long',
  bool: 'xs:boolean',
  decimal: 'xs:decimal',
  dateTime: 'xs:dateTime',
  bytes: 'xs:base64Binary',
  guid: 'ser:guid',
};

/** The qualified XSD type of a member type, with the prefixes every schema here declares. */
function xsdType(type: TypeRef): string {
  switch (type.kind) {
    case 'scalar': return primitiveXsd[type.name];
    case 'enum':
    case 'ref': return `tns:${contractName(type)}`;
    case 'list':
    case 'dict': return `${inArraysNs(type) ? 'arr' : 'tns'}:${contractName(type)}`;
  }
}

const prefixDecls = `xmlns:xs="${xs}" xmlns:tns="${typesNs}" xmlns:arr="${arraysNs}" xmlns:ser="${serializationNs}"`;

function memberElement(name: string, m: Member): string {
  const nillable = m.nullable || !isValueType(m.type) ? ' nillable="true"' : '';
  return `<xs:element minOccurs="0" name="${name}"${nillable} type="${xsdType(m.type)}"/>`;
}

function collectionType(type: TypeRef & ({ kind: 'list' } | { kind: 'dict' })): string {
  const name = contractName(type);
  if (type.kind === 'list') {
    const nillable = isValueType(type.of) ? '' : ' nillable="true"';
    return `<xs:complexType name="${name}"><xs:sequence><xs:element minOccurs="0" maxOccurs="unbounded" name="${contractName(type.of)}"${nillable} type="${xsdType(type.of)}"/></xs:sequence></xs:complexType>`;
  }
  const valueNillable = isValueType(type.value) ? '' : ' nillable="true"';
  return `<xs:complexType name="${name}"><xs:annotation><xs:appinfo><IsDictionary xmlns="${serializationNs}">true</IsDictionary></xs:appinfo></xs:annotation>` +
    `<xs:sequence><xs:element minOccurs="0" maxOccurs="unbounded" name="${keyValueName(type.key, type.value)}"><xs:complexType><xs:sequence>` +
    `<xs:element name="Key" type="${xsdType(type.key)}"/><xs:element name="Value"${valueNillable} type="${xsdType(type.value)}"/>` +
    `</xs:sequence></xs:complexType></xs:element></xs:sequence></xs:complexType>`;
}

function dtoType(dto: Dto): string {
  const name = dtoContractName(dto);
  const sequence = `<xs:sequence>${Object.entries(dto.members).map(([n, m]) => memberElement(n, m)).join('')}</xs:sequence>`;
  const body = dto.base
    ? `<xs:complexContent mixed="false"><xs:extension base="tns:${dtoContractName(dto.base)}">${sequence}</xs:extension></xs:complexContent>`
    : sequence;
  return `<xs:complexType name="${name}">${body}</xs:complexType><xs:element name="${name}" nillable="true" type="tns:${name}"/>`;
}

/** Every type reachable from the operations' requests and responses (and ErrorResponse), each once. */
function collect(operations: readonly Operation[]) {
  const dtos = new Map<string, Dto>();
  const enums = new Map<string, readonly string[]>();
  const collections = new Map<string, TypeRef & ({ kind: 'list' } | { kind: 'dict' })>();
  const visitType = (type: TypeRef) => {
    if (type.kind === 'ref') visitDto(type.dto);
    else if (type.kind === 'enum') enums.set(type.decl.name, type.decl.values);
    else if (type.kind === 'list' || type.kind === 'dict') {
      collections.set(`${inArraysNs(type)}:${contractName(type)}`, type);
      visitType(type.kind === 'list' ? type.of : type.value);
    }
  };
  const visitDto = (dto: Dto) => {
    const name = dtoContractName(dto);
    if (dtos.has(name)) return;
    dtos.set(name, dto);
    if (dto.base) visitDto(dto.base);
    for (const m of Object.values(dto.members)) visitType(m.type);
  };
  for (const op of operations) {
    visitDto(op.request);
    visitDto(op.response);
  }
  visitDto(ErrorResponse);
  return { dtos: [...dtos.values()], enums: [...enums], collections: [...collections.values()] };
}

/** The `<xs:schema>` elements, ready for a WSDL's `<wsdl:types>` or an XSD document. */
export function xsdSchemas(operations: readonly Operation[]): string[] {
  const { dtos, enums, collections } = collect(operations);
  const contractTypes = [
    ...dtos.map(dtoType),
    ...enums.map(([name, values]) =>
      `<xs:simpleType name="${name}"><xs:restriction base="xs:string">${values.map((v) => `<xs:enumeration value="${v}"/>`).join('')}</xs:restriction></xs:simpleType><xs:element name="${name}" nillable="true" type="tns:${name}"/>`),
    ...collections.filter((c) => !inArraysNs(c)).map((c) => collectionType(c) + `<xs:element name="${contractName(c)}" nillable="true" type="tns:${contractName(c)}"/>`),
  ];
  const arrayTypes = collections.filter(inArraysNs).map((c) => collectionType(c) + `<xs:element name="${contractName(c)}" nillable="true" type="arr:${contractName(c)}"/>`);
  return [
    `<xs:schema ${prefixDecls} elementFormDefault="qualified" targetNamespace="${typesNs}">` +
      `<xs:import namespace="${arraysNs}"/><xs:import namespace="${serializationNs}"/>${contractTypes.join('')}</xs:schema>`,
    `<xs:schema ${prefixDecls} elementFormDefault="qualified" targetNamespace="${arraysNs}">` +
      `<xs:import namespace="${serializationNs}"/><xs:import namespace="${typesNs}"/>${arrayTypes.join('')}</xs:schema>`,
    `<xs:schema ${prefixDecls} attributeFormDefault="qualified" elementFormDefault="qualified" targetNamespace="${serializationNs}">` +
      `<xs:simpleType name="guid"><xs:restriction base="xs:string"><xs:pattern value="[\\da-fA-F]{8}-[\\da-fA-F]{4}-[\\da-fA-F]{4}-[\\da-fA-F]{4}-[\\da-fA-F]{12}"/></xs:restriction></xs:simpleType>` +
      `<xs:element name="guid" nillable="true" type="ser:guid"/></xs:schema>`,
  ];
}
