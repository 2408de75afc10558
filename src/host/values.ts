/**
 * Conversion of wire values into the run-time values a declaration promises, shared by every
 * format: JSON bodies give numbers and strings, paths and query strings give text.
 */
import type { ScalarType, TypeRef } from '../model/dsl.ts';

export type Converted = { ok: true; value: unknown } | { ok: false };
const fail: Converted = { ok: false };
const ok = (value: unknown): Converted => ({ ok: true, value });

const dashedGuid = /^\{?([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}?$/i;
const plainGuid = /^([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/i;

/** Accepts the dashed (D), 32-hex (N) and braced (B) forms; returns lower-case dashed, or undefined. */
function parseGuid(text: string): string | undefined {
  const m = dashedGuid.exec(text) ?? plainGuid.exec(text);
  if (!m) return undefined;
  return `${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}`.toLowerCase();
}

const wcfDate = /^\\?\/Date\((-?\d+)([+-]\d{4})?\)\\?\/$/;
const isoDate = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** The instants a .NET DateTime holds: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z (UTC). */
const MIN_INSTANT_MS = -62135596800000;
const MAX_INSTANT_MS = 253402300799999;

function inDateTimeRange(ms: number): boolean {
  return ms >= MIN_INSTANT_MS && ms <= MAX_INSTANT_MS;
}

/** ISO 8601 (a time without offset is UTC) or ServiceStack's `\/Date(ms)\/`; instants outside a .NET DateTime's range are refused. */
export function parseDateTime(text: string): Date | undefined {
  const w = wcfDate.exec(text);
  if (w) return inDateTimeRange(Number(w[1])) ? new Date(Number(w[1])) : undefined;
  if (!isoDate.test(text)) return undefined;
  let iso = text;
  if (iso.length === 10) iso += 'T00:00:00Z';
  else if (!/(Z|[+-]\d{2}:?\d{2})$/.test(iso)) iso += 'Z';
  const fraction = /\.(\d{4,7})/.exec(iso);
  if (fraction) iso = iso.replace(fraction[0], '.' + fraction[1].slice(0, 3));
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) || !inDateTimeRange(d.getTime()) ? undefined : d;
}

// line breaks are tolerated, spaces are not: a '+' sent unencoded in a URL or form arrives as a space
const base64 = /^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/;

function parseBase64(text: string): Buffer | undefined {
  if (!base64.test(text)) return undefined;
  const compact = /[\r\n]/.test(text) ? text.replace(/[\r\n]+/g, '') : text;
  if (compact.length % 4 === 1) return undefined;
  return Buffer.from(compact, 'base64');
}

function intFrom(n: number, name: string): Converted {
  if (!Number.isInteger(n)) return fail;
  if (name === 'int' && (n < -2147483648 || n > 2147483647)) return fail;
  if (!Number.isSafeInteger(n)) return fail;
  return ok(n);
}

/** The largest magnitude of a .NET decimal. */
const MAX_DECIMAL = 79228162514264337593543950335;

function decimalFrom(n: number): Converted {
  return Number.isFinite(n) && Math.abs(n) <= MAX_DECIMAL ? ok(n) : fail;
}

/**
 * Why a string cannot be stored or written back: a NUL or another C0 control character besides
 * tab, line feed and carriage return (XML 1.0 cannot carry them, PostgreSQL refuses NUL), an
 * unpaired surrogate (not UTF-8), or U+FFFE/U+FFFF. Undefined for a good string.
 */
export function textProblem(s: string): string | undefined {
  if (!suspectText.test(s)) return undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return `holds the control character U+${c.toString(16).padStart(4, '0').toUpperCase()} at position ${i}`;
    if (c === 0xfffe || c === 0xffff) return `holds the non-character U+${c.toString(16).toUpperCase()} at position ${i}`;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) { i++; continue; }
      return `holds an unpaired surrogate at position ${i}`;
    }
    if (c >= 0xdc00 && c <= 0xdfff) return `holds an unpaired surrogate at position ${i}`;
  }
  return undefined;
}

const suspectText = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffe\uffff]/;

function scalarFromText(type: ScalarType, raw: string): Converted {
  switch (type.name) {
    case 'string': return ok(raw);
    case 'int':
    case 'long': {
      const s = raw.trim();
      return /^[+-]?\d+$/.test(s) ? intFrom(Number(s), type.name) : fail;
    }
    case 'decimal': {
      const s = raw.trim();
      return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) ? decimalFrom(Number(s)) : fail;
    }
    case 'bool': {
      // ServiceStack reads only the text before the first comma
      const s = raw.split(',')[0].trim().toLowerCase();
      if (s === 'true' || s === '1') return ok(true);
      if (s === 'false' || s === '0') return ok(false);
      return fail;
    }
    case 'guid': {
      const g = parseGuid(raw.trim());
      return g ? ok(g) : fail;
    }
    case 'dateTime': {
      const d = parseDateTime(raw.trim());
      return d ? ok(d) : fail;
    }
    case 'bytes': {
      const b = parseBase64(raw);
      return b ? ok(b) : fail;
    }
  }
}

/** Text from a path variable or query string (ServiceStack parses these with JSV rules). */
export function fromText(type: TypeRef, raw: string): Converted {
  switch (type.kind) {
    case 'scalar': return scalarFromText(type, raw);
    case 'enum': return enumValue(type.decl.values, raw.trim());
    case 'list': {
      const inner = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
      const out: unknown[] = [];
      for (const part of inner === '' ? [] : inner.split(',')) {
        const c = fromText(type.of, part);
        if (!c.ok) return fail;
        out.push(c.value);
      }
      return ok(out);
    }
    case 'dict':
    case 'ref':
      return fail;
  }
}

function enumValue(values: readonly string[], s: string): Converted {
  const lower = s.toLowerCase();
  const byName = values.find((v) => v.toLowerCase() === lower);
  if (byName) return ok(byName);
  if (/^\d+$/.test(s) && Number(s) < values.length) return ok(values[Number(s)]);
  return fail;
}

/** A value from a parsed JSON body. Nested DTOs are handled by the caller (they need member matching). */
export function fromJsonValue(type: TypeRef, v: unknown, nested: (dto: import('../model/dsl.ts').Dto, v: unknown) => Converted): Converted {
  if (v === null) return ok(null);
  switch (type.kind) {
    case 'scalar':
      if (typeof v === 'string') return scalarFromText(type, v);
      if (typeof v === 'number' && (type.name === 'int' || type.name === 'long')) return intFrom(v, type.name);
      if (typeof v === 'number' && type.name === 'decimal') return decimalFrom(v);
      if (typeof v === 'boolean' && type.name === 'bool') return ok(v);
      return fail;
    case 'enum':
      if (typeof v === 'string') return enumValue(type.decl.values, v);
      if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < type.decl.values.length) return ok(type.decl.values[v]);
      return fail;
    case 'list': {
      if (typeof v === 'string') return fromText(type, v);
      if (!Array.isArray(v)) return fail;
      const out: unknown[] = [];
      for (const item of v) {
        const c = fromJsonValue(type.of, item, nested);
        if (!c.ok) return fail;
        out.push(c.value);
      }
      return ok(out);
    }
    case 'dict': {
      if (typeof v !== 'object' || Array.isArray(v)) return fail;
      const out: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
        const key = scalarFromText(type.key, k);
        const val = fromJsonValue(type.value, item, nested);
        if (!key.ok || !val.ok) return fail;
        out[String(key.value)] = val.value;
      }
      return ok(out);
    }
    case 'ref':
      return nested(type.dto, v);
  }
}

/** How a type is named in messages and on the metadata pages: the .NET name the original declares. */
export function typeName(type: TypeRef): string {
  switch (type.kind) {
    case 'scalar':
      return ({ string: 'string', int: 'int', long: 'long', bool: 'bool', decimal: 'decimal', guid: 'Guid', dateTime: 'DateTime', bytes: 'byte[]' } as const)[type.name];
    case 'enum': return type.decl.name;
    case 'list': return `List<${typeName(type.of)}>`;
    case 'dict': return `Dictionary<${typeName(type.key)}, ${typeName(type.value)}>`;
    case 'ref': return type.dto.name;
  }
}
