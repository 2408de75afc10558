/**
 * GET /types/metadata: ServiceStack's `MetadataTypes` document, the input its client generators
 * (`x csharp`, `x typescript`, ...) read, built from the registry.
 */
import type { Dto, EnumDecl, Member, Operation, TypeRef } from '../../model/dsl.ts';
import { isValueType } from '../dto-shape.ts';
import { operationTypes, operationVerbs, typeGraph, typeParameters } from '../metadata/type-graph.ts';

interface MetadataTypeName {
  Name: string;
  Namespace?: string;
  GenericArgs?: string[];
}

interface MetadataProperty {
  Name: string;
  Type: string;
  GenericArgs?: string[];
  IsValueType?: boolean;
  IsSystemType?: boolean;
  IsEnum?: boolean;
  IsRequired?: boolean;
  Description?: string;
  ParamType?: string;
  TypeNamespace?: string;
}

interface MetadataType extends MetadataTypeName {
  Inherits?: MetadataTypeName;
  Description?: string;
  IsEnum?: boolean;
  EnumNames?: string[];
  EnumValues?: string[];
  Properties?: MetadataProperty[];
}

const appNamespace = 'Coruson.ServiceModel';

const systemNames = {
  string: 'String', int: 'Int32', long: 'Int64', bool: 'Boolean', decimal: 'Decimal', guid: 'Guid', dateTime: 'DateTime', bytes: 'Byte[]',
} as const;

/** `List`1` with its arguments, as .NET reflection names a constructed generic type. */
function clrName(type: TypeRef, typeParameter?: (t: TypeRef) => string | undefined): { name: string; args?: string[]; system: boolean } {
  const param = typeParameter?.(type);
  if (param) return { name: param, system: false };
  switch (type.kind) {
    case 'scalar': return { name: systemNames[type.name], system: true };
    case 'enum': return { name: type.decl.name, system: false };
    case 'list': return { name: 'List`1', args: [display(type.of, typeParameter)], system: true };
    case 'dict': return { name: 'Dictionary`2', args: [display(type.key, typeParameter), display(type.value, typeParameter)], system: true };
    case 'ref': return type.dto.genericArgs?.length
      ? { name: `${type.dto.name}\`${type.dto.genericArgs.length}`, args: type.dto.genericArgs.map((a) => display(a, typeParameter)), system: false }
      : { name: type.dto.name, system: false };
  }
}

function display(type: TypeRef, typeParameter?: (t: TypeRef) => string | undefined): string {
  const n = clrName(type, typeParameter);
  return n.args ? `${n.name.replace(/`\d+$/, '')}<${n.args.join(',')}>` : n.name;
}

function property(name: string, m: Member, typeParameter: (t: TypeRef) => string | undefined): MetadataProperty {
  let n = clrName(m.type, typeParameter);
  const valueType = isValueType(m.type);
  if (m.nullable && valueType) n = { name: 'Nullable`1', args: [n.name], system: true };
  return {
    Name: name,
    Type: n.name,
    GenericArgs: n.args,
    IsValueType: valueType || undefined,
    IsSystemType: n.system || undefined,
    IsEnum: m.type.kind === 'enum' || undefined,
    IsRequired: m.required || undefined,
    Description: m.description,
    ParamType: m.in,
    TypeNamespace: n.system ? 'System' : appNamespace,
  };
}

function metadataType(d: Dto): MetadataType {
  const { names: params, of: typeParameter } = typeParameters(d);
  const base = d.base ? clrName({ kind: 'ref', dto: d.base }) : undefined;
  return {
    Name: params.length ? `${d.name}\`${params.length}` : d.name,
    Namespace: appNamespace,
    GenericArgs: params.length ? params : undefined,
    Inherits: base && { Name: base.name, Namespace: appNamespace, GenericArgs: base.args },
    Description: d.description,
    Properties: Object.entries(d.members).map(([name, m]) => property(name, m, typeParameter)),
  };
}

function enumType(e: EnumDecl): MetadataType {
  return { Name: e.name, Namespace: appNamespace, Description: e.description, IsEnum: true, EnumNames: [...e.values], EnumValues: [...e.values] };
}

export function typesMetadata(operations: readonly Operation[], baseUrl: string) {
  const graph = typeGraph(operationTypes(operations));
  const operationDtos = new Set(operations.flatMap((op) => [op.request.name, op.response.name]));
  const byName = new Map(graph.dtos.map((d) => [d.name, metadataType(d)]));
  return {
    Config: { BaseUrl: baseUrl },
    Namespaces: ['System', 'System.Collections.Generic', 'ServiceStack', appNamespace],
    Types: [...graph.enums.map(enumType), ...graph.dtos.filter((d) => !operationDtos.has(d.name)).map((d) => byName.get(d.name)!)],
    Operations: operations.map((op) => ({
      Request: byName.get(op.request.name)!,
      Response: byName.get(op.response.name)!,
      Actions: operationVerbs(op),
      ReturnType: { Name: op.response.name, Namespace: appNamespace },
      Routes: op.routes.map((r) => ({ Path: r.path, Verbs: r.verbs.join(','), Summary: r.summary })),
      RequiresAuth: op.requiresAuth,
      Tags: [op.tag],
      Description: op.summary,
      Notes: op.notes,
    })),
  };
}
