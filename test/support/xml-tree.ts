/** XML documents as comparable trees: namespaces resolved, whitespace-only text dropped, xmlns attributes left out. */
import { SaxesParser } from 'saxes';

export interface Node {
  name: string;
  attributes: Record<string, string>;
  children: Node[];
  text: string;
}

export function tree(xml: string): Node {
  const parser = new SaxesParser({ xmlns: true });
  const stack: Node[] = [];
  let root: Node | undefined;
  parser.on('opentag', (t) => {
    const attributes: Record<string, string> = {};
    for (const a of Object.values(t.attributes) as Array<{ uri: string; local: string; prefix: string; value: string }>) {
      if (a.prefix === 'xmlns' || (a.prefix === '' && a.local === 'xmlns')) continue;
      attributes[`{${a.uri}}${a.local}`] = a.value;
    }
    const n: Node = { name: `{${t.uri}}${t.local}`, attributes, children: [], text: '' };
    if (stack.length) stack[stack.length - 1].children.push(n);
    else root = n;
    stack.push(n);
  });
  parser.on('text', (x) => {
    if (stack.length && x.trim() !== '') stack[stack.length - 1].text += x;
  });
  parser.on('closetag', () => void stack.pop());
  parser.write(xml).close();
  return root!;
}

/** The first element with this local name, depth first. */
export function find(n: Node, local: string): Node | undefined {
  if (n.name.endsWith(`}${local}`)) return n;
  for (const c of n.children) {
    const f = find(c, local);
    if (f) return f;
  }
  return undefined;
}

export function childText(n: Node, local: string): string | undefined {
  return n.children.find((c) => c.name.endsWith(`}${local}`))?.text;
}
