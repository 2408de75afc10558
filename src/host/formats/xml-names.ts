/** The names DataContract XML gives to types, shared by the XML writer, the reader and the XSD. */
import type { Dto, ScalarName, TypeRef } from '../../model/dsl.ts';

export const typesNs = 'http://schemas.servicestack.net/types';
export const instanceNs = 'http://www.w3.org/2001/XMLSchema-instance';
export const arraysNs = 'http://schemas.microsoft.com/2003/10/Serialization/Arrays';
export const serializationNs = 'http://schemas.microsoft.com/2003/10/Serialization/';

const primitiveNames: Record<ScalarName, string> = {
  string: 'string',
  int: 'int',
  long: 'long',
  bool: 'boolean',
  decimal: 'decimal',
  guid: 'guid',
  dateTime: 'dateTime',
  bytes: 'base64Binary',
};

/** Collections of primitives (and dictionaries) live in the Arrays namespace; collections of contracts in the types namespace. */
export function inArraysNs(type: TypeRef): boolean {
  if (type.kind === 'dict') return true;
  if (type.kind === 'list') return type.of.kind === 'scalar' || type.of.kind === 'list' || type.of.kind === 'dict';
  return false;
}

/** The data contract name of a type: `guid`, `ReportStatus`, `ArrayOfstring`, `ArrayOfKeyValueOfguidstring`. */
export function contractName(type: TypeRef): string {
  switch (type.kind) {
    case 'scalar': return primitiveNames[type.name];
    case 'enum': return type.decl.name;
    case 'ref': return dtoContractName(type.dto);
    case 'list': return `ArrayOf${contractName(type.of)}`;
    case 'dict': return `ArrayOf${keyValueName(type.key, type.value)}`;
  }
}

export function keyValueName(key: TypeRef, value: TypeRef): string {
  return `KeyValueOf${contractName(key)}${contractName(value)}`;
}

/** A generic class instance is named after its type arguments, as DataContract does: `PagingRequestBaseOfReportOrder`. */
export function dtoContractName(d: Dto): string {
  return d.genericArgs?.length ? `${d.name}Of${d.genericArgs.map(contractName).join('')}` : d.name;
}
