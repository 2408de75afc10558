import type { Dto, TypeRef } from '../../model/dsl.ts';
import { defaultValue, isValueType, reflectionOrder } from '../dto-shape.ts';

type Write = (v: unknown) => string;

/**
 * A `{Key:Value,…}` writer, as JSON and JSV share it: ServiceStack writes a type's own properties
 * before the inherited ones (.NET reflection order), leaves nulls out and writes value types even
 * when they hold their default.
 */
export function objectWriter(dto: Dto, key: (name: string) => string, value: (type: TypeRef) => Write): Write {
  const parts = reflectionOrder(dto).map(([name, m]) => {
    const write = value(m.type);
    const fallback = m.nullable || !isValueType(m.type) ? undefined : write(defaultValue(m.type));
    return { name, prefix: key(name) + ':', write, fallback };
  });
  return (v) => {
    const o = (v ?? {}) as Record<string, unknown>;
    let out = '{';
    for (const p of parts) {
      const x = o[p.name];
      let text: string;
      if (x == null) {
        if (p.fallback === undefined) continue;
        text = p.fallback;
      } else text = p.write(x);
      out += (out.length > 1 ? ',' : '') + p.prefix + text;
    }
    return out + '}';
  };
}
