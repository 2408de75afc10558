/**
 * DataContract XML, as ServiceStack's DataContractSerializer writes it: base-class members first,
 * then each class's members in declared order; nulls as `i:nil="true"`; collections of primitives
 * and dictionaries in the Arrays namespace under a `d{depth}p1` prefix declared on the collection
 * element. A writer is compiled once per DTO and nesting depth (the prefix depends on the depth).
 */
import { allMembers, type Dto, type Member, type TypeRef } from '../../model/dsl.ts';
import { defaultValue, isValueType } from '../dto-shape.ts';
import { arraysNs, contractName, inArraysNs, instanceNs, keyValueName, typesNs } from './xml-names.ts';

type Write = (v: unknown) => string;
/** writes a whole element (open tag, content, close tag) for one value */
type ElementWriter = (v: unknown) => string;

const needsEscape = /[&<>\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/;
const escapeChars = /[&<>\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/** XML 1.0 cannot carry most control characters at all; they become U+FFFD rather than an unreadable document. */
export function escapeXml(s: string): string {
  if (!needsEscape.test(s)) return s;
  return s.replace(escapeChars, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '\r' ? '&#xD;' : '\uFFFD'));
}

export function xmlDate(d: Date): string {
  const s = d.toISOString();
  return s.endsWith('.000Z') ? s.slice(0, -5) + 'Z' : s;
}

function scalarText(type: TypeRef): Write {
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

/** Frozen values cannot change, so their text is kept (polled import statuses hand back the same map). */
function cachedWhenFrozen(write: Write): Write {
  const texts = new WeakMap<object, string>();
  return (v) => {
    if (!Object.isFrozen(v)) return write(v);
    let text = texts.get(v as object);
    if (text === undefined) {
      text = write(v);
      texts.set(v as object, text);
    }
    return text;
  };
}

/**
 * An element named `tag` (already prefixed if it needs one) holding a value of `type`, at nesting
 * `depth` (the root element is depth 1). `prefix` is the Arrays-namespace prefix in scope, if any.
 */
function elementWriter(tag: string, type: TypeRef, depth: number, nilDefault?: string): ElementWriter {
  const open = `<${tag}>`;
  const close = `</${tag}>`;
  switch (type.kind) {
    case 'scalar':
    case 'enum': {
      const text = scalarText(type);
      const nil = nilDefault ?? `<${tag} i:nil="true"/>`;
      return (v) => (v == null ? nil : open + text(v) + close);
    }
    case 'ref': {
      // compiled on first use: a type may contain itself
      let content: Write | undefined;
      const nil = `<${tag} i:nil="true"/>`;
      return (v) => (v == null ? nil : open + (content ??= contentWriter(type.dto, depth + 1))(v) + close);
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
      return (v) => {
        if (v == null) return nil;
        const text = items(v);
        return text === '' ? empty : openDecl + text + close;
      };
    }
  }
}

function listItems(of: TypeRef, prefix: string, depth: number): Write {
  // nested collections stay in the namespace already declared: their items keep the prefix
  const item = elementWriter(prefix + contractName(of), of, depth);
  return cachedWhenFrozen((v) => {
    const a = v as unknown[];
    let out = '';
    for (let i = 0; i < a.length; i++) out += item(a[i]);
    return out;
  });
}

function dictItems(key: TypeRef, value: TypeRef, prefix: string, depth: number): Write {
  const entryOpen = `<${prefix}${keyValueName(key, value)}>`;
  const entryClose = `</${prefix}${keyValueName(key, value)}>`;
  const keyOpen = `<${prefix}Key>`;
  const keyClose = `</${prefix}Key>`;
  const keyText = scalarText(key);
  const valueElement = elementWriter(`${prefix}Value`, value, depth + 1);
  return cachedWhenFrozen((v) => {
    const o = v as Record<string, unknown>;
    let out = '';
    for (const k in o) out += entryOpen + keyOpen + keyText(k) + keyClose + valueElement(o[k]) + entryClose;
    return out;
  });
}

function nilDefaultFor(name: string, m: Member): string | undefined {
  if (m.nullable || !isValueType(m.type)) return undefined;
  return `<${name}>${scalarText(m.type)(defaultValue(m.type))}</${name}>`;
}

const contents = new Map<number, WeakMap<Dto, Write>>();

/** The member elements of a DTO whose own element is at `depth - 1`. */
function contentWriter(dto: Dto, depth: number): Write {
  let byDto = contents.get(depth);
  if (!byDto) contents.set(depth, (byDto = new WeakMap()));
  const known = byDto.get(dto);
  if (known) return known;
  const parts = allMembers(dto).map(([name, m]) => ({ name, write: elementWriter(name, m.type, depth, nilDefaultFor(name, m)) }));
  const w: Write = (v) => {
    const o = v as Record<string, unknown>;
    let out = '';
    for (let i = 0; i < parts.length; i++) out += parts[i].write(o[parts[i].name]);
    return out;
  };
  byDto.set(dto, w);
  return w;
}

const roots = new WeakMap<Dto, Write>();

/** The DTO's element with its namespace declarations, no XML declaration: the body of a SOAP message. */
export function writeXmlElement(dto: Dto, value: unknown): string {
  let w = roots.get(dto);
  if (!w) {
    const content = contentWriter(dto, 2);
    const open = `<${dto.name} xmlns:i="${instanceNs}" xmlns="${typesNs}">`;
    const close = `</${dto.name}>`;
    w = (v) => open + content(v ?? {}) + close;
    roots.set(dto, w);
  }
  return w(value);
}

export const xmlDeclaration = '<?xml version="1.0" encoding="utf-8"?>';
