/**
 * The types the registry declares, walked once for every document that describes them
 * (metadata pages, client types, OpenAPI), and their names in the .NET vocabulary the original
 * service's documentation uses.
 */
import { allMembers, type Dto, type EnumDecl, type Operation, type TypeRef, type Verb } from '../../model/dsl.ts';
import { isValueType } from '../dto-shape.ts';

export interface TypeGraph {
  /** every class, base classes before the classes deriving from them; one per name */
  dtos: Dto[];
  enums: EnumDecl[];
}

/**
 * Generic classes (`PagingRequestBase<ReportOrder>`) are declared once per type argument; the
 * first declaration met stands for the class.
 */
export function typeGraph(roots: readonly Dto[]): TypeGraph {
  const dtos = new Map<string, Dto>();
  const enums = new Map<string, EnumDecl>();
  const visitType = (type: TypeRef): void => {
    switch (type.kind) {
      case 'enum': if (!enums.has(type.decl.name)) enums.set(type.decl.name, type.decl); break;
      case 'list': visitType(type.of); break;
      case 'dict': visitType(type.key); visitType(type.value); break;
      case 'ref': visitDto(type.dto); break;
    }
  };
  const visited = new Set<Dto>();
  const visitDto = (d: Dto): void => {
    if (visited.has(d)) return;
    visited.add(d);
    if (d.base) visitDto(d.base);
    // another instance of a generic class still brings in its own type arguments
    if (dtos.has(d.name)) return d.genericArgs?.forEach(visitType);
    // a class is listed before the types of its members so that a self-reference ends the walk
    dtos.set(d.name, d);
    for (const a of d.genericArgs ?? []) visitType(a);
    for (const m of Object.values(d.members)) visitType(m.type);
  };
  for (const d of roots) visitDto(d);
  return { dtos: [...dtos.values()], enums: [...enums.values()] };
}

export function operationTypes(operations: readonly Operation[]): Dto[] {
  return operations.flatMap((op) => [op.request, op.response]);
}

/** The class and its base classes, most derived first: the order the metadata pages list them in. */
export function classChain(d: Dto): Dto[] {
  const chain: Dto[] = [];
  for (let c: Dto | undefined = d; c; c = c.base) chain.push(c);
  return chain;
}

/** DTOs a class's members refer to, directly or through their own members, in first-met order. */
export function referencedDtos(roots: readonly Dto[]): Dto[] {
  const seen = new Set<string>(roots.flatMap((r) => classChain(r).map((c) => c.name)));
  const out: Dto[] = [];
  const visitType = (type: TypeRef): void => {
    if (type.kind === 'list') visitType(type.of);
    else if (type.kind === 'dict') visitType(type.value);
    else if (type.kind === 'ref') {
      for (const c of classChain(type.dto)) {
        if (seen.has(c.name)) continue;
        seen.add(c.name);
        out.push(c);
        for (const [, m] of allMembers(c)) visitType(m.type);
      }
    }
  };
  for (const r of roots) for (const [, m] of allMembers(r)) visitType(m.type);
  return out;
}

export function enumsOf(dtos: readonly Dto[]): EnumDecl[] {
  const out = new Map<string, EnumDecl>();
  const visit = (type: TypeRef): void => {
    if (type.kind === 'enum') out.set(type.decl.name, type.decl);
    else if (type.kind === 'list') visit(type.of);
    else if (type.kind === 'dict') visit(type.value);
  };
  for (const d of dtos) for (const m of Object.values(d.members)) visit(m.type);
  return [...out.values()];
}

const dotnetScalars = {
  string: 'string', int: 'int', long: 'long', bool: 'bool', decimal: 'decimal', guid: 'Guid', dateTime: 'DateTime', bytes: 'byte[]',
} as const;

/** `Dictionary<Guid, string>`, `List<Report>`, `int?`: the Data Type column of the metadata pages. */
export function dotnetTypeName(type: TypeRef, nullable = false): string {
  switch (type.kind) {
    case 'scalar': return dotnetScalars[type.name] + (nullable && isValueType(type) ? '?' : '');
    case 'enum': return type.decl.name + (nullable ? '?' : '');
    case 'list': return `List<${dotnetTypeName(type.of)}>`;
    case 'dict': return `Dictionary<${dotnetTypeName(type.key)}, ${dotnetTypeName(type.value)}>`;
    case 'ref': return dtoDisplayName(type.dto);
  }
}

/** The class name with its type arguments: `PagingRequestBase<ReportOrder>`. */
export function dtoDisplayName(d: Dto): string {
  return d.genericArgs?.length ? `${d.name}<${d.genericArgs.map((a) => dotnetTypeName(a)).join(', ')}>` : d.name;
}

/** Whether two declared types are the same type (declarations build a fresh object per use). */
function sameType(a: TypeRef, b: TypeRef): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'scalar': return a.name === (b as typeof a).name;
    case 'enum': return a.decl.name === (b as typeof a).decl.name;
    case 'list': return sameType(a.of, (b as typeof a).of);
    case 'dict': return sameType(a.key, (b as typeof a).key) && sameType(a.value, (b as typeof a).value);
    case 'ref': return a.dto.name === (b as typeof a).dto.name;
  }
}

const verbPreference: readonly Verb[] = ['POST', 'PUT', 'PATCH', 'GET', 'DELETE'];

export function operationVerbs(op: Operation): Verb[] {
  const verbs = new Set(op.routes.flatMap((r) => r.verbs));
  return verbPreference.filter((v) => verbs.has(v));
}

/** The verb a generated client sends the request with: the only one its routes allow, else POST. */
export function clientVerb(op: Operation): Verb {
  const verbs = operationVerbs(op);
  return verbs.length === 1 ? verbs[0] : 'POST';
}

/**
 * A generic class's type parameters (`T`, or `T1`, `T2`…) and, for a member's type, the
 * parameter it stands for: the members typed with the declaration's type argument.
 */
export function typeParameters(d: Dto): { names: string[]; of(type: TypeRef): string | undefined } {
  const n = d.genericArgs?.length ?? 0;
  const names = n === 1 ? ['T'] : Array.from({ length: n }, (_, i) => `T${i + 1}`);
  return {
    names,
    of(type) {
      const i = d.genericArgs?.findIndex((a) => sameType(a, type)) ?? -1;
      return i >= 0 ? names[i] : undefined;
    },
  };
}
