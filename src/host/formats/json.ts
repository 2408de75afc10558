import type { Dto, TypeRef } from '../../model/dsl.ts';
import { Errors, type FieldError } from '../../shared/errors.ts';
import { fromJsonValue, typeName, type Converted } from '../values.ts';
import type { WireFormat } from './format.ts';
import { memberLookup } from '../dto-shape.ts';
import { objectWriter } from './object-writer.ts';
import { splitLargeStrings } from './json-large-strings.ts';

type Writer = (v: unknown) => string;

function isoDate(d: Date): string {
  const s = d.toISOString();
  return s.endsWith('.000Z') ? s.slice(0, -5) + 'Z' : s;
}

function valueWriter(type: TypeRef): Writer {
  switch (type.kind) {
    case 'scalar':
      switch (type.name) {
        case 'string':
        case 'guid':
          return (v) => JSON.stringify(v);
        case 'int':
        case 'long':
        case 'decimal':
          return (v) => String(v);
        case 'bool':
          return (v) => (v ? 'true' : 'false');
        case 'dateTime':
          return (v) => `"${isoDate(v as Date)}"`;
        case 'bytes':
          return (v) => `"${(v as Buffer).toString('base64')}"`;
      }
      break;
    case 'enum':
      return (v) => JSON.stringify(v);
    case 'list': {
      const item = valueWriter(type.of);
      if (isTextScalar(type.of)) return (v) => JSON.stringify(v);
      return (v) => {
        const a = v as unknown[];
        let out = '[';
        for (let i = 0; i < a.length; i++) out += (i ? ',' : '') + (a[i] == null ? 'null' : item(a[i]));
        return out + ']';
      };
    }
    case 'dict': {
      const item = valueWriter(type.value);
      // JSON.stringify writes string maps natively, several times faster (import status maps run to
      // tens of thousands of entries); only a null value would differ, and handlers never put one there
      if (isTextScalar(type.value)) return writeTextMap;
      return (v) => {
        let out = '{';
        let first = true;
        for (const k in v as Record<string, unknown>) {
          const x = (v as Record<string, unknown>)[k];
          if (x == null) continue; // ServiceStack leaves null dictionary values out
          out += (first ? '' : ',') + JSON.stringify(k) + ':' + item(x);
          first = false;
        }
        return out + '}';
      };
    }
    case 'ref':
      return (v) => dtoWriter(type.dto)(v);
  }
}

/** Frozen maps cannot change, so their text is kept: polled import statuses hand back the same one. */
const frozenText = new WeakMap<object, string>();

function writeTextMap(v: unknown): string {
  if (!Object.isFrozen(v)) return JSON.stringify(v);
  let text = frozenText.get(v as object);
  if (text === undefined) {
    text = JSON.stringify(v);
    frozenText.set(v as object, text);
  }
  return text;
}

function isTextScalar(type: TypeRef): boolean {
  return type.kind === 'scalar' && (type.name === 'string' || type.name === 'guid');
}

const writers = new WeakMap<Dto, Writer>();

function dtoWriter(dto: Dto): Writer {
  let w = writers.get(dto);
  if (!w) {
    w = objectWriter(dto, (name) => JSON.stringify(name), valueWriter);
    writers.set(dto, w);
  }
  return w;
}

function readDto(dto: Dto, json: unknown, path: string, errors: FieldError[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    errors.push({ errorCode: 'SerializationException', fieldName: path || dto.name, message: `Expected a JSON object for '${dto.name}'` });
    return out;
  }
  const lookup = memberLookup(dto);
  for (const key in json as Record<string, unknown>) {
    const found = lookup.get(key.toLowerCase());
    if (!found) continue; // unknown members are ignored, as ServiceStack does
    const [name, m] = found;
    const raw = (json as Record<string, unknown>)[key];
    const fieldPath = path ? `${path}.${name}` : name;
    const c = fromJsonValue(m.type, raw, (inner, v): Converted => {
      const before = errors.length;
      const value = readDto(inner, v, fieldPath, errors);
      return errors.length === before ? { ok: true, value } : { ok: false };
    });
    if (c.ok) out[name] = c.value;
    else if (m.type.kind !== 'ref') errors.push(invalidValue(fieldPath, raw, m.type));
  }
  return out;
}

function invalidValue(fieldName: string, raw: unknown, type: TypeRef): FieldError {
  // an object or array is not spelled out: it may be nested deep or be large
  let shown = typeof raw === 'string' ? raw : raw !== null && typeof raw === 'object' ? (Array.isArray(raw) ? '[…]' : '{…}') : String(raw);
  if (shown.length > 60) shown = shown.slice(0, 57) + '...';
  return {
    errorCode: 'SerializationException',
    fieldName,
    message: `'${shown}' is an Invalid value for '${fieldName}' (expected ${typeName(type)})`,
  };
}

/** No request declaration nests nearly this deep; deeper bodies are refused before JSON.parse or any walk sees them. */
const MAX_JSON_DEPTH = 64;

/** Whether brackets outside strings nest deeper than `max`: one pass over the bytes. */
function nestedDeeperThan(body: Buffer, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === 0x22) {
      for (i++; i < body.length && body[i] !== 0x22; i++) if (body[i] === 0x5c) i++;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

export const jsonFormat: WireFormat = {
  name: 'json',
  contentType: 'application/json; charset=utf-8',
  mediaTypes: ['application/json', 'text/json'],
  write: (dto, value) => dtoWriter(dto)(value),
  read(dto, body, errors) {
    const lookup = memberLookup(dto);
    const split = splitLargeStrings(body, (key) => {
      const m = lookup.get(key.toLowerCase());
      return m !== undefined && m[1].type.kind === 'scalar' && m[1].type.name === 'bytes';
    });
    const source = split?.rest ?? body;
    if (nestedDeeperThan(source, MAX_JSON_DEPTH)) throw Errors.malformedBody('JSON', `values are nested more than ${MAX_JSON_DEPTH} deep`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(source.toString('utf8'));
    } catch (e) {
      throw Errors.malformedBody('JSON', (e as Error).message);
    }
    const out = readDto(dto, parsed, '', errors);
    if (split) {
      for (const [key, bytes] of split.values) {
        const [name] = lookup.get(key.toLowerCase())!;
        if (bytes) out[name] = bytes;
        else errors.push({ errorCode: 'SerializationException', fieldName: name, message: `'${name}' is not valid base64` });
      }
    }
    return out;
  },
};

export { invalidValue };
