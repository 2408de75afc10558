/**
 * Sample instances for the metadata pages, built from the declarations the way ServiceStack fills
 * its samples: strings "String", numbers 0, the first enum value, one element in every collection.
 */
import { allMembers, type Dto, type ScalarType, type TypeRef } from '../../model/dsl.ts';
import { defaultValue } from '../dto-shape.ts';

const placeholder = 'String';

function sampleScalar(type: ScalarType): unknown {
  switch (type.name) {
    case 'string': return placeholder;
    case 'bytes': return Buffer.from(placeholder);
    default: return defaultValue(type);
  }
}

function sampleKey(type: ScalarType): string {
  return String(sampleScalar(type));
}

function sampleValue(type: TypeRef, open: ReadonlySet<Dto>): unknown {
  switch (type.kind) {
    case 'scalar': return sampleScalar(type);
    case 'enum': return type.decl.values[0];
    case 'list': {
      const item = sampleValue(type.of, open);
      return item === null ? [] : [item];
    }
    case 'dict': return { [sampleKey(type.key)]: sampleValue(type.value, open) };
    // a type that contains itself is filled once; its inner occurrence stays empty
    case 'ref': return open.has(type.dto) ? null : sampleDto(type.dto, open);
  }
}

export function sampleDto(d: Dto, open: ReadonlySet<Dto> = new Set()): Record<string, unknown> {
  const inner = new Set(open).add(d);
  return Object.fromEntries(allMembers(d).map(([name, m]) => [name, sampleValue(m.type, inner)]));
}
