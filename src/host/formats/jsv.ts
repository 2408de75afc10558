/**
 * JSV, ServiceStack's own text format: `{Name:Value,List:[a,b],Map:{k:v}}`, strings quoted only
 * when they hold a delimiter (`"` doubled inside), booleans `True`/`False`, nulls left out,
 * members in the order JSON writes them. GUIDs dashed and dates ISO 8601, as the API writes
 * everywhere.
 */
import type { Dto, TypeRef } from '../../model/dsl.ts';
import { Errors, type FieldError } from '../../shared/errors.ts';
import { memberLookup } from '../dto-shape.ts';
import { objectWriter } from './object-writer.ts';
import { fromText } from '../values.ts';
import type { WireFormat } from './format.ts';
import { invalidValue } from './json.ts';
import { scalarText } from './xml-writer.ts';

type Write = (v: unknown) => string;

const delimiters = /[":,{}[\]\r\n]/;

const controls = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

function jsvString(s: string): string {
  if (s === '') return '""';
  // JSV has no escapes: a control character stored before input was checked is written as U+FFFD, as XML does
  if (controls.test(s)) s = s.replace(controls, '\uFFFD');
  controls.lastIndex = 0;
  return delimiters.test(s) ? '"' + s.replaceAll('"', '""') + '"' : s;
}

/** The JSV text of one value; strings come back encoded. */
export function jsvValueWriter(type: TypeRef): Write {
  switch (type.kind) {
    case 'scalar':
      if (type.name === 'string') return (v) => jsvString(String(v));
      if (type.name === 'bool') return (v) => (v ? 'True' : 'False');
      return scalarText(type);
    case 'enum': return scalarText(type);
    case 'list': {
      const item = jsvValueWriter(type.of);
      return (v) => '[' + (v as unknown[]).map((x) => (x == null ? '' : item(x))).join(',') + ']';
    }
    case 'dict': {
      const key = jsvValueWriter(type.key);
      const item = jsvValueWriter(type.value);
      return (v) => {
        let out = '';
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
          if (x == null) continue;
          out += (out ? ',' : '') + key(k) + ':' + item(x);
        }
        return '{' + out + '}';
      };
    }
    case 'ref': {
      let w: Write | undefined;
      return (v) => (w ??= jsvDtoWriter(type.dto))(v);
    }
  }
}

const writers = new WeakMap<Dto, Write>();

function jsvDtoWriter(dto: Dto): Write {
  let w = writers.get(dto);
  if (!w) {
    w = objectWriter(dto, (name) => name, jsvValueWriter);
    writers.set(dto, w);
  }
  return w;
}

// ---- reading

/** A parsed JSV value: text, a list or a map (keys in order). */
export type JsvValue = string | JsvValue[] | Map<string, JsvValue>;

const maxDepth = 64;

class JsvParser {
  private i = 0;
  constructor(private readonly s: string) {}

  parseDocument(): JsvValue {
    const v = this.value(0, true);
    this.skipSpace();
    if (this.i < this.s.length) this.fail(`unexpected '${this.s[this.i]}'`);
    return v;
  }

  private fail(what: string): never {
    throw Errors.malformedBody('JSV', `${what} at offset ${this.i}`);
  }

  private skipSpace() {
    while (this.i < this.s.length && ' \t\r\n'.includes(this.s[this.i])) this.i++;
  }

  private value(depth: number, top = false): JsvValue {
    if (depth > maxDepth) this.fail(`values nested more than ${maxDepth} deep`);
    this.skipSpace();
    const c = this.s[this.i];
    if (c === '{') return this.map(depth);
    if (c === '[') return this.list(depth);
    if (c === '"') return this.quoted();
    return this.bare(top);
  }

  private quoted(): string {
    let out = '';
    let from = ++this.i;
    for (;;) {
      const q = this.s.indexOf('"', from);
      if (q < 0) this.fail('an unterminated quoted string');
      if (this.s[q + 1] === '"') {
        out += this.s.slice(this.i, q + 1);
        this.i = from = q + 2;
        continue;
      }
      out += this.s.slice(this.i, q);
      this.i = q + 1;
      return out;
    }
  }

  private bare(top: boolean): string {
    const start = this.i;
    if (top) {
      this.i = this.s.length;
      return this.s.slice(start).trimEnd();
    }
    while (this.i < this.s.length && !',}]'.includes(this.s[this.i])) this.i++;
    return this.s.slice(start, this.i);
  }

  private list(depth: number): JsvValue[] {
    this.i++;
    const out: JsvValue[] = [];
    this.skipSpace();
    if (this.s[this.i] === ']') {
      this.i++;
      return out;
    }
    for (;;) {
      out.push(this.value(depth + 1));
      this.skipSpace();
      const c = this.s[this.i++];
      if (c === ']') return out;
      if (c !== ',') this.fail(c === undefined ? 'an unterminated list' : `'${c}' where ',' or ']' belongs`);
    }
  }

  private map(depth: number): Map<string, JsvValue> {
    this.i++;
    const out = new Map<string, JsvValue>();
    this.skipSpace();
    if (this.s[this.i] === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      let key: string;
      if (this.s[this.i] === '"') key = this.quoted();
      else {
        const colon = this.s.indexOf(':', this.i);
        if (colon < 0) this.fail('a key without a value');
        key = this.s.slice(this.i, colon).trim();
        this.i = colon;
      }
      if (this.s[this.i] !== ':') this.fail(`'${this.s[this.i] ?? 'end'}' where ':' belongs`);
      this.i++;
      out.set(key, this.value(depth + 1));
      this.skipSpace();
      const c = this.s[this.i++];
      if (c === '}') return out;
      if (c !== ',') this.fail(c === undefined ? 'an unterminated object' : `'${c}' where ',' or '}' belongs`);
    }
  }
}

export function parseJsv(text: string): JsvValue {
  return new JsvParser(text).parseDocument();
}

function shown(v: JsvValue): string {
  return typeof v === 'string' ? v : Array.isArray(v) ? '[…]' : '{…}';
}

type Read = { ok: true; value: unknown } | { ok: false };

/** A JSV value read against a declared type; bad values are reported at `path`. */
export function readJsvValue(type: TypeRef, v: JsvValue, path: string, errors: FieldError[]): Read {
  if (typeof v === 'string' && v === '' && !(type.kind === 'scalar' && type.name === 'string')) return { ok: true, value: null };
  switch (type.kind) {
    case 'scalar':
    case 'enum': {
      if (typeof v !== 'string') break;
      const c = fromText(type, v);
      if (c.ok) return c;
      break;
    }
    case 'list': {
      if (typeof v === 'string') {
        const c = fromText(type, v);
        if (c.ok) return c;
        break;
      }
      if (!Array.isArray(v)) break;
      const out: unknown[] = [];
      for (const item of v) {
        const c = readJsvValue(type.of, item, `${path}[${out.length}]`, errors);
        if (!c.ok) return c;
        out.push(c.value);
      }
      return { ok: true, value: out };
    }
    case 'dict': {
      if (!(v instanceof Map)) break;
      const out: Record<string, unknown> = {};
      for (const [k, x] of v) {
        const key = fromText(type.key, k);
        if (!key.ok) {
          errors.push(invalidValue(`${path}.Key`, k, type.key));
          return key;
        }
        const c = readJsvValue(type.value, x, `${path}[${k}]`, errors);
        if (!c.ok) return c;
        out[String(key.value)] = c.value;
      }
      return { ok: true, value: out };
    }
    case 'ref':
      if (!(v instanceof Map)) break;
      return { ok: true, value: readJsvDto(type.dto, v, path, errors) };
  }
  errors.push(invalidValue(path, shown(v), type));
  return { ok: false };
}

function readJsvDto(dto: Dto, map: Map<string, JsvValue>, path: string, errors: FieldError[]): Record<string, unknown> {
  const lookup = memberLookup(dto);
  const out: Record<string, unknown> = {};
  for (const [key, v] of map) {
    const found = lookup.get(key.toLowerCase());
    if (!found) continue;
    const [name, m] = found;
    const c = readJsvValue(m.type, v, path ? `${path}.${name}` : name, errors);
    if (c.ok) out[name] = c.value;
  }
  return out;
}

export const jsvFormat: WireFormat = {
  name: 'jsv',
  contentType: 'application/jsv',
  mediaTypes: ['application/jsv', 'text/jsv'],
  write: (dto, value) => jsvDtoWriter(dto)(value),
  read(dto, body, errors) {
    const v = parseJsv(body.toString('utf8'));
    if (!(v instanceof Map)) throw Errors.malformedBody('JSV', `expected an object {…} for '${dto.name}'`);
    return readJsvDto(dto, v, '', errors);
  },
};
