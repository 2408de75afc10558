/**
 * Rows as both dialects return them, made into the values of the row DTO's members: the member's
 * type says how its column is stored (times as epoch milliseconds, flags as 0/1 in SQLite, lists as
 * JSON text).
 */
import { allMembers, type Dto, type TypeRef } from '../../model/dsl.ts';

type Convert = (v: unknown) => unknown;

function converterOf(type: TypeRef): Convert | undefined {
  if (type.kind === 'scalar' && type.name === 'dateTime') return (v) => (v == null ? null : new Date(Number(v)));
  if (type.kind === 'scalar' && type.name === 'bool') return (v) => (typeof v === 'number' ? v === 1 : v);
  if (type.kind === 'list') return (v) => (v ? JSON.parse(v as string) : null);
  return undefined;
}

const readers = new WeakMap<Dto, (row: Record<string, unknown>) => Record<string, unknown>>();

export function rowReader(dto: Dto): (row: Record<string, unknown>) => Record<string, unknown> {
  let read = readers.get(dto);
  if (!read) {
    const converted = allMembers(dto).flatMap(([m, { type }]) => {
      const convert = converterOf(type);
      return convert ? [[m, convert] as const] : [];
    });
    read = (row) => {
      for (const [m, convert] of converted) row[m] = convert(row[m]);
      return row;
    };
    readers.set(dto, read);
  }
  return read;
}
