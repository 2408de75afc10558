/** Facts about declared DTOs that binding and every format need, computed once per type. */
import { allMembers, type Dto, type Member, type TypeRef } from '../model/dsl.ts';

const lookups = new WeakMap<Dto, Map<string, [string, Member]>>();

/** Member by lower-cased name: ServiceStack matches member names case-insensitively. */
export function memberLookup(dto: Dto): Map<string, [string, Member]> {
  let m = lookups.get(dto);
  if (!m) {
    m = new Map(allMembers(dto).map(([name, member]) => [name.toLowerCase(), [name, member]]));
    lookups.set(dto, m);
  }
  return m;
}

/** .NET value types: never null unless declared nullable. */
export function isValueType(type: TypeRef): boolean {
  return type.kind === 'enum' || (type.kind === 'scalar' && type.name !== 'string' && type.name !== 'bytes');
}

export function defaultValue(type: TypeRef): unknown {
  if (type.kind === 'enum') return type.decl.values[0];
  if (type.kind !== 'scalar') return null;
  switch (type.name) {
    case 'int': case 'long': case 'decimal': return 0;
    case 'bool': return false;
    case 'guid': return '00000000-0000-0000-0000-000000000000';
    case 'dateTime': return new Date(-62135596800000);
    default: return null;
  }
}

/** Whether a request carries a byte[] member (a file), and so may have a large body. */
export function hasBytesMember(dto: Dto): boolean {
  return allMembers(dto).some(([, m]) => m.type.kind === 'scalar' && m.type.name === 'bytes');
}

/** Members in .NET reflection order (a type's own before those it inherits): the order JSON, JSV and CSV write. */
export function reflectionOrder(dto: Dto): Array<[string, Member]> {
  const out: Array<[string, Member]> = [];
  for (let d: Dto | undefined = dto; d; d = d.base) out.push(...Object.entries(d.members));
  return out;
}
