/**
 * Lays out the compact XML the formats write, one element a line, for reading on the metadata
 * pages. Only for the service's own output: elements, attributes and escaped text, no mixed content.
 */
export function indentXml(xml: string, step = '  '): string {
  const tokens = xml.match(/<[^>]+>|[^<]+/g) ?? [];
  const lines: string[] = [];
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const pad = step.repeat(depth);
    if (token.startsWith('<?')) lines.push(token);
    else if (token.startsWith('</')) {
      depth--;
      lines.push(step.repeat(depth) + token);
    } else if (token.startsWith('<')) {
      if (token.endsWith('/>')) lines.push(pad + token);
      else if (!tokens[i + 1]?.startsWith('<') && tokens[i + 2]?.startsWith('</')) {
        // an element holding text stays on one line
        lines.push(pad + token + tokens[i + 1] + tokens[i + 2]);
        i += 2;
      } else if (tokens[i + 1]?.startsWith('</')) {
        lines.push(pad + token + tokens[i + 1]);
        i += 1;
      } else {
        lines.push(pad + token);
        depth++;
      }
    } else if (token.trim()) lines.push(pad + token.trim());
  }
  return lines.join('\n');
}
