/**
 * DataContract XML, as ServiceStack's DataContractSerializer writes it: base-class members first,
 * then each class's members in declared order; nulls as `i:nil="true"`; collections of primitives
 * and dictionaries in the Arrays namespace under a `d{depth}p1` prefix declared on the collection
 * element. A writer is compiled once per DTO and nesting depth (the prefix depends on the depth).
 */
import { allMembers, type Dto, type Member, type TypeRef } from '../../model/dsl.ts';
import { defaultValue, isValueType } from '../dto-shape.ts';
import { arraysNs, contractName, dtoContractName, inArraysNs, instanceNs, keyValueName, typesNs } from './xml-names.ts';

type Write = (v: unknown) => string;

const needsEscape = /[&<>\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
const escapeChars = /[&<>\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/** XML 1.0 cannot carry most control characters at all; they become U+FFFD rather than an unreadable document. */
function escapeXml(s: string): string {
  if (!needsEscape.test(s)) return s;
  return s.replace(escapeChars, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '\r' ? '&#xD;' : '\uFFFD'));
}

function xmlDate(d: Date): string {
  const s = d.toISOString();
  return s.endsWith('.000Z') ? s.slice(0, -5) + 'Z' : s;
}

/** The text of a scalar or enum value in XML (and, but for strings and booleans, in JSV). */
export function scalarText(type: TypeRef): Write {
  if (type.kind === 'enum') return (v) => String(v);
  if (type.kind !== 'scalar') throw new Error(`not a scalar: ${type.kind}`);
  switch (type.name) {
    case 'string': return (v) => escapeXml(String(v));
    case 'guid':
    case 'int':
    case 'long':
    case 'decimal': return (v) => String(v);
    case 'bool': return (v) => (v ? 'true' : 'false');
    case 'dateTime': return (v) => xmlDate(v as Date);
    case 'bytes': return (v) => (v as Buffer).toString('base64');
  }
}

/**
 * Where a document is written: text, and when bytes are wanted, the bytes of large cached pieces
 * between stretches of text (a response over 128 KB built as one string costs V8 a large-object
 * allocation and a slow flatten on every send).
 */
class Out {
  text = '';
  readonly chunks: Array<string | Buffer> | undefined;
  constructor(bytes: boolean) {
    this.chunks = bytes ? [] : undefined;
  }
  piece(p: Piece) {
    if (!this.chunks) this.text += p.text;
    else {
      this.chunks.push(this.text, p.bytes);
      this.text = '';
    }
  }
  bytes(): Buffer {
    const chunks = this.chunks!;
    if (chunks.length !== 2) {
      chunks.push(this.text);
      return Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c)));
    }
    // one cached piece between two stretches of text, as a polled status is: the same text around
    // it gives the same document, kept rather than allocated again
    const [before, piece] = chunks as [string, Buffer];
    const after = this.text;
    let known = documents.get(piece);
    const hit = known?.find((d) => d.before === before && d.after === after);
    if (hit) return hit.bytes;
    const bytes = Buffer.concat([Buffer.from(before, 'utf8'), piece, Buffer.from(after, 'utf8')]);
    if (!known) documents.set(piece, (known = []));
    // a few documents per piece: plain XML and each SOAP version around the same collection
    if (known.length >= 4) known.shift();
    known.push({ before, after, bytes });
    return bytes;
  }
}

const documents = new WeakMap<Buffer, Array<{ before: string; after: string; bytes: Buffer }>>();

type Emit = (v: unknown, o: Out) => void;
interface Piece { text: string; bytes: Buffer }

/** Frozen values cannot change, so their text is kept (polled import statuses hand back the same map). */
function cachedWhenFrozen(emit: Emit): Emit {
  const pieces = new WeakMap<object, Piece>();
  return (v, o) => {
    if (!Object.isFrozen(v)) return emit(v, o);
    let p = pieces.get(v as object);
    if (p === undefined) {
      const scratch = new Out(false);
      emit(v, scratch);
      const bytes = Buffer.from(scratch.text, 'utf8');
      // a flat copy: the rope of thousands of pieces would otherwise be walked on every use
      p = { text: bytes.toString('utf8'), bytes };
      pieces.set(v as object, p);
    }
    o.piece(p);
  };
}

/**
 * An element named `tag` (already prefixed if it needs one) holding a value of `type`, at nesting
 * `depth` (the root element is depth 1).
 */
function elementWriter(tag: string, type: TypeRef, depth: number, nilDefault?: string): Emit {
  const open = `<${tag}>`;
  const close = `</${tag}>`;
  switch (type.kind) {
    case 'scalar':
    case 'enum': {
      const text = scalarText(type);
      const nil = nilDefault ?? `<${tag} i:nil="true"/>`;
      return (v, o) => {
        o.text += v == null ? nil : open + text(v) + close;
      };
    }
    case 'ref': {
      // compiled on first use: a type may contain itself
      let content: Emit | undefined;
      const nil = `<${tag} i:nil="true"/>`;
      return (v, o) => {
        if (v == null) o.text += nil;
        else {
          o.text += open;
          (content ??= contentWriter(type.dto, depth + 1))(v, o);
          o.text += close;
        }
      };
    }
    case 'list':
    case 'dict': {
      const arrays = inArraysNs(type);
      const p = `d${depth}p1`;
      const decl = arrays ? ` xmlns:${p}="${arraysNs}"` : '';
      const itemPrefix = arrays ? `${p}:` : '';
      const nil = `<${tag} i:nil="true"${decl}/>`;
      const empty = `<${tag}${decl}/>`;
      const openDecl = `<${tag}${decl}>`;
      const items = type.kind === 'list' ? listItems(type.of, itemPrefix, depth + 1) : dictItems(type.key, type.value, itemPrefix, depth + 1);
      const filled = cachedWhenFrozen((v, o) => {
        if (isEmpty(v)) o.text += empty;
        else {
          o.text += openDecl;
          items(v, o);
          o.text += close;
        }
      });
      return (v, o) => {
        if (v == null) o.text += nil;
        else filled(v, o);
      };
    }
  }
}

function isEmpty(v: unknown): boolean {
  if (Array.isArray(v)) return v.length === 0;
  for (const _ in v as object) return false;
  return true;
}

function listItems(of: TypeRef, prefix: string, depth: number): Emit {
  // nested collections stay in the namespace already declared: their items keep the prefix
  const item = elementWriter(prefix + contractName(of), of, depth);
  return (v, o) => {
    const a = v as unknown[];
    for (let i = 0; i < a.length; i++) item(a[i], o);
  };
}

function dictItems(key: TypeRef, value: TypeRef, prefix: string, depth: number): Emit {
  const entryOpen = `<${prefix}${keyValueName(key, value)}>`;
  const entryClose = `</${prefix}${keyValueName(key, value)}>`;
  const keyOpen = `<${prefix}Key>`;
  const keyClose = `</${prefix}Key>`;
  const keyText = scalarText(key);
  const valueElement = elementWriter(`${prefix}Value`, value, depth + 1);
  return (v, o) => {
    const d = v as Record<string, unknown>;
    for (const k in d) {
      o.text += entryOpen + keyOpen + keyText(k) + keyClose;
      valueElement(d[k], o);
      o.text += entryClose;
    }
  };
}

function nilDefaultFor(name: string, m: Member): string | undefined {
  if (m.nullable || !isValueType(m.type)) return undefined;
  return `<${name}>${scalarText(m.type)(defaultValue(m.type))}</${name}>`;
}

const contents = new Map<number, WeakMap<Dto, Emit>>();

/** The member elements of a DTO whose own element is at `depth - 1`. */
function contentWriter(dto: Dto, depth: number): Emit {
  let byDto = contents.get(depth);
  if (!byDto) contents.set(depth, (byDto = new WeakMap()));
  const known = byDto.get(dto);
  if (known) return known;
  const parts = allMembers(dto).map(([name, m]) => ({ name, emit: elementWriter(name, m.type, depth, nilDefaultFor(name, m)) }));
  const w: Emit = (v, o) => {
    const r = v as Record<string, unknown>;
    for (let i = 0; i < parts.length; i++) parts[i].emit(r[parts[i].name], o);
  };
  byDto.set(dto, w);
  return w;
}

const roots = new WeakMap<Dto, Emit>();

function rootWriter(dto: Dto): Emit {
  let w = roots.get(dto);
  if (!w) {
    const content = contentWriter(dto, 2);
    const open = `<${dtoContractName(dto)} xmlns:i="${instanceNs}" xmlns="${typesNs}">`;
    const close = `</${dtoContractName(dto)}>`;
    w = (v, o) => {
      o.text += open;
      content(v ?? {}, o);
      o.text += close;
    };
    roots.set(dto, w);
  }
  return w;
}

/** The DTO's element with its namespace declarations, no XML declaration: the body of a SOAP message. */
export function writeXmlElement(dto: Dto, value: unknown): string {
  const o = new Out(false);
  rootWriter(dto)(value, o);
  return o.text;
}

/** The same as bytes, between `before` and `after`, sparing large cached pieces a copy through a string. */
export function encodeXmlElement(dto: Dto, value: unknown, before: string, after: string): Buffer {
  const o = new Out(true);
  o.text = before;
  rootWriter(dto)(value, o);
  o.text += after;
  return o.bytes();
}

export const xmlDeclaration = '<?xml version="1.0" encoding="utf-8"?>';
