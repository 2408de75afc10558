/** A value for any declared DTO with every member filled, as the metadata pages' samples are. */
import { allMembers, type Dto, type TypeRef } from '../../src/model/dsl.ts';

function sample(type: TypeRef, depth: number): unknown {
  switch (type.kind) {
    case 'scalar':
      return ({ string: 'String', int: 0, long: 0, bool: false, decimal: 0, guid: '00000000-0000-0000-0000-000000000000', dateTime: new Date(0), bytes: Buffer.from('bytes') } as const)[type.name];
    case 'enum': return type.decl.values[0];
    case 'list': return [sample(type.of, depth)];
    case 'dict': return { [String(sample(type.key, depth))]: sample(type.value, depth) };
    case 'ref': return depth > 4 ? null : sampleValue(type.dto, depth + 1);
  }
}

export function sampleValue(d: Dto, depth = 0): Record<string, unknown> {
  return Object.fromEntries(allMembers(d).map(([name, m]) => [name, sample(m.type, depth)]));
}
