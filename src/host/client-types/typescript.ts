/**
 * GET /types/typescript: the DTOs as TypeScript classes, in the shape "Add ServiceStack Reference"
 * generates, so `@servicestack/client` sends them as it sends a ServiceStack service's own.
 */
import type { Dto, EnumDecl, Operation, TypeRef } from '../../model/dsl.ts';
import { clientVerb, operationTypes, typeGraph, typeParameters, type TypeGraph } from '../metadata/type-graph.ts';
import { serviceVersion } from './service-version.ts';
import { blockCommentText, booleanOption, typeListOption } from './option-values.ts';

export interface TypeScriptOptions {
  makePropertiesOptional: boolean;
  addDescriptionAsComments: boolean;
  /** type names; `Name.*` adds the types it refers to */
  includeTypes: string[];
  excludeTypes: string[];
  withoutOptions: boolean;
  /** options the query string set: shown without the `//` that marks a default */
  given: ReadonlySet<string>;
}

const optionNames = ['MakePropertiesOptional', 'AddDescriptionAsComments', 'IncludeTypes', 'ExcludeTypes'] as const;

/** Options come from the query string, case-insensitively, as ServiceStack reads them. */
export function typeScriptOptions(query: Record<string, unknown>): TypeScriptOptions {
  const byLower = new Map(Object.entries(query).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? String(v.at(-1)) : String(v ?? '')]));
  const given = new Set(optionNames.filter((n) => byLower.has(n.toLowerCase())));
  const flag = (name: string, fallback: boolean) => {
    const v = byLower.get(name.toLowerCase());
    return v === undefined ? fallback : booleanOption(name, v);
  };
  const list = (name: string) => typeListOption(name, byLower.get(name.toLowerCase()) ?? '');
  return {
    makePropertiesOptional: flag('MakePropertiesOptional', false),
    addDescriptionAsComments: flag('AddDescriptionAsComments', true),
    includeTypes: list('IncludeTypes'),
    excludeTypes: list('ExcludeTypes'),
    withoutOptions: byLower.has('withoutoptions'),
    given,
  };
}

export function typeScriptTypes(operations: readonly Operation[], baseUrl: string, options: TypeScriptOptions, now = new Date()): string {
  const graph = selectTypes(operations, typeGraph(operationTypes(operations)), options);
  const requests = new Map(operations.map((op) => [op.request.name, op]));
  const out: string[] = [];
  if (!options.withoutOptions) out.push(header(baseUrl, options, now));
  out.push('export interface IReturn<T>\n{\n    createResponse(): T;\n}\n', 'export interface IReturnVoid\n{\n    createResponse(): void;\n}\n');
  for (const e of graph.enums) out.push(enumDeclaration(e, options));
  for (const d of graph.dtos) out.push(classDeclaration(d, requests.get(d.name), options));
  return out.join('\n');
}

function header(baseUrl: string, o: TypeScriptOptions, now: Date): string {
  const value: Record<(typeof optionNames)[number], string> = {
    MakePropertiesOptional: o.makePropertiesOptional ? 'True' : 'False',
    AddDescriptionAsComments: o.addDescriptionAsComments ? 'True' : 'False',
    IncludeTypes: o.includeTypes.join(','),
    ExcludeTypes: o.excludeTypes.join(','),
  };
  const lines = optionNames.map((n) => `${o.given.has(n) ? '' : '//'}${n}: ${value[n]}`);
  const text = [
    `Date: ${now.toISOString().slice(0, 19).replace('T', ' ')}`,
    `Version: ${serviceVersion}`,
    'Tip: To override a DTO option, remove "//" prefix before updating',
    `BaseUrl: ${baseUrl}`,
    '',
    ...lines,
  ].map(blockCommentText);
  return ['/* Options:', ...text, '*/', ''].join('\n');
}

function selectTypes(operations: readonly Operation[], all: TypeGraph, o: TypeScriptOptions): TypeGraph {
  let names: Set<string> | undefined;
  if (o.includeTypes.length) {
    names = new Set();
    for (const entry of o.includeTypes) {
      const withDependencies = entry.endsWith('.*');
      const name = withDependencies ? entry.slice(0, -2) : entry;
      if (!withDependencies) names.add(name);
      else {
        const op = operations.find((x) => x.request.name === name);
        const d = all.dtos.find((x) => x.name === name);
        const sub = typeGraph(op ? [op.request, op.response] : d ? [d] : []);
        for (const x of [...sub.dtos, ...sub.enums]) names.add(x.name);
      }
    }
  }
  const keep = (name: string) => (!names || names.has(name)) && !o.excludeTypes.includes(name);
  return { dtos: all.dtos.filter((d) => keep(d.name)), enums: all.enums.filter((e) => keep(e.name)) };
}

function comment(text: string | undefined, indent: string, o: TypeScriptOptions): string {
  if (!text || !o.addDescriptionAsComments) return '';
  return `${indent}/** @description ${text.replace(/\*\//g, '*\\/')} */\n`;
}

function enumDeclaration(e: EnumDecl, o: TypeScriptOptions): string {
  const values = e.values.map((v) => `    ${v} = '${v}',`).join('\n');
  return `${comment(e.description, '', o)}export enum ${e.name}\n{\n${values}\n}\n`;
}

function tsType(type: TypeRef, typeParameter: (t: TypeRef) => string | undefined): string {
  const param = typeParameter(type);
  if (param) return param;
  switch (type.kind) {
    case 'scalar':
      switch (type.name) {
        case 'int': case 'long': case 'decimal': return 'number';
        case 'bool': return 'boolean';
        default: return 'string';
      }
    case 'enum': return type.decl.name;
    case 'list': {
      const item = tsType(type.of, typeParameter);
      return /^\w+$/.test(item) ? `${item}[]` : `Array<${item}>`;
    }
    case 'dict': return `{ [index: string]: ${tsType(type.value, typeParameter)}; }`;
    case 'ref': return classReference(type.dto, typeParameter);
  }
}

function classReference(d: Dto, typeParameter: (t: TypeRef) => string | undefined): string {
  return d.genericArgs?.length ? `${d.name}<${d.genericArgs.map((a) => tsType(a, typeParameter)).join(', ')}>` : d.name;
}

function classDeclaration(d: Dto, op: Operation | undefined, o: TypeScriptOptions): string {
  const { names: params, of: typeParameter } = typeParameters(d);
  const self = params.length ? `${d.name}<${params.join(', ')}>` : d.name;
  let head = `export class ${self}`;
  if (d.base) head += ` extends ${classReference(d.base, () => undefined)}`;
  if (op) head += ` implements IReturn<${op.response.name}>`;
  const members = Object.entries(d.members).map(([name, m]) => {
    const optional = o.makePropertiesOptional || !m.required ? '?' : '';
    return `${comment(m.description, '    ', o)}    public ${name}${optional}: ${tsType(m.type, typeParameter)};\n`;
  });
  const body = [
    ...members,
    members.length ? '\n' : '',
    `    public constructor(init?: Partial<${self}>) { ${d.base ? 'super(init); ' : ''}(Object as any).assign(this, init); }\n`,
  ];
  if (op) {
    body.push(
      `    public getTypeName() { return '${op.name}'; }\n`,
      `    public getMethod() { return '${clientVerb(op)}'; }\n`,
      `    public createResponse() { return new ${op.response.name}(); }\n`,
    );
  }
  return `${comment(d.description ?? op?.summary, '', o)}${head}\n{\n${body.join('')}}\n`;
}
