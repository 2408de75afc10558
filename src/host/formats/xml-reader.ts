/**
 * Reads DataContract XML request bodies (plain or inside a SOAP envelope). saxes parses without
 * ever expanding a DTD, and any DOCTYPE is refused outright, so no entity tricks reach us. The
 * document becomes a small element tree, which is then read against the declaration: member
 * names match case-insensitively and in any order, unknown elements are ignored (lenient where
 * DataContractSerializer is strict, as the reading side may be).
 */
import { SaxesParser } from 'saxes';
import type { Dto, TypeRef } from '../../model/dsl.ts';
import { Errors, type FieldError } from '../../shared/errors.ts';
import { memberLookup } from '../dto-shape.ts';
import { fromText } from '../values.ts';
import { instanceNs } from './xml-names.ts';
import { invalidValue } from './json.ts';

export interface XmlElement {
  local: string;
  uri: string;
  nil: boolean;
  children: XmlElement[];
  text: string;
}

/** Deeper documents are not requests any declaration describes. */
const maxDepth = 64;

/** Parses a whole document; throws a SerializationException error for anything malformed. */
export function parseXmlTree(body: Buffer | string, formatName = 'XML'): XmlElement {
  const parser = new SaxesParser({ xmlns: true, position: false });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let problem: string | undefined;
  parser.on('doctype', () => {
    problem ??= 'a DOCTYPE is not accepted';
  });
  // XML 1.1 would let C0 control characters (&#x1;) into values
  parser.on('xmldecl', (d) => {
    if (d.version !== undefined && d.version !== '1.0') problem ??= `XML version ${d.version} is not accepted; send XML 1.0`;
  });
  parser.on('error', (e) => {
    problem ??= e.message;
  });
  parser.on('opentag', (tag) => {
    if (problem) return;
    if (stack.length >= maxDepth) {
      problem = `elements are nested more than ${maxDepth} deep`;
      return;
    }
    let nil = false;
    for (const name in tag.attributes) {
      const a = tag.attributes[name] as { local: string; uri: string; value: string };
      if (a.local === 'nil' && a.uri === instanceNs) nil = a.value.trim() === 'true' || a.value.trim() === '1';
    }
    const el: XmlElement = { local: tag.local ?? tag.name, uri: tag.uri ?? '', nil, children: [], text: '' };
    if (stack.length) stack[stack.length - 1].children.push(el);
    else root ??= el;
    stack.push(el);
  });
  parser.on('text', (t) => {
    if (!problem && stack.length) stack[stack.length - 1].text += t;
  });
  parser.on('cdata', (t) => {
    if (!problem && stack.length) stack[stack.length - 1].text += t;
  });
  parser.on('closetag', () => {
    if (!problem) stack.pop();
  });
  try {
    parser.write(typeof body === 'string' ? body : body.toString('utf8'));
    if (!problem) parser.close();
  } catch (e) {
    problem ??= (e as Error).message;
  }
  if (problem) throw Errors.malformedBody(formatName, problem);
  if (!root) throw Errors.malformedBody(formatName, 'the document has no root element');
  return root;
}

function readValue(type: TypeRef, el: XmlElement, path: string, errors: FieldError[]): { ok: true; value: unknown } | { ok: false } {
  if (el.nil) return { ok: true, value: null };
  switch (type.kind) {
    case 'scalar':
    case 'enum': {
      const c = fromText(type, el.text);
      if (!c.ok) errors.push(invalidValue(path, el.text, type));
      return c;
    }
    case 'ref':
      return { ok: true, value: readXmlDto(type.dto, el, path, errors) };
    case 'list': {
      const out: unknown[] = [];
      for (const item of el.children) {
        const c = readValue(type.of, item, `${path}[${out.length}]`, errors);
        if (!c.ok) return c;
        out.push(c.value);
      }
      return { ok: true, value: out };
    }
    case 'dict': {
      const out: Record<string, unknown> = {};
      for (const entry of el.children) {
        const key = entry.children.find((c) => c.local.toLowerCase() === 'key');
        const value = entry.children.find((c) => c.local.toLowerCase() === 'value');
        if (!key) {
          errors.push({ errorCode: 'SerializationException', fieldName: path, message: `Each <${entry.local}> of '${path}' needs a <Key>` });
          return { ok: false };
        }
        const k = readValue(type.key, key, `${path}.Key`, errors);
        if (!k.ok) return k;
        const v = value ? readValue(type.value, value, `${path}[${String(k.value)}]`, errors) : { ok: true as const, value: null };
        if (!v.ok) return v;
        out[String(k.value)] = v.value;
      }
      return { ok: true, value: out };
    }
  }
}

/** The members of `dto` found among the element's children. */
export function readXmlDto(dto: Dto, el: XmlElement, path: string, errors: FieldError[]): Record<string, unknown> {
  const lookup = memberLookup(dto);
  const out: Record<string, unknown> = {};
  for (const child of el.children) {
    const found = lookup.get(child.local.toLowerCase());
    if (!found) continue;
    const [name, m] = found;
    const c = readValue(m.type, child, path ? `${path}.${name}` : name, errors);
    if (c.ok) out[name] = c.value;
  }
  return out;
}

/** A request body: the root element must be the request DTO's. */
export function readXmlRequest(dto: Dto, body: Buffer, errors: FieldError[]): Record<string, unknown> {
  const root = parseXmlTree(body);
  if (root.local.toLowerCase() !== dto.name.toLowerCase()) {
    throw Errors.malformedBody('XML', `expected the root element <${dto.name}>, found <${root.local}>`);
  }
  return readXmlDto(dto, root, '', errors);
}
