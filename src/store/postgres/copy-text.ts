/**
 * Values in COPY's text format: tab-separated, `\N` for NULL, backslash escapes for what would
 * break a line. Pure text, no driver: the parser thread builds staged rows with it.
 */

const special = /[\\\t\n\r]/;

/** A string as one COPY column (`\N` when absent). */
export function copyText(s: string | null | undefined): string {
  if (s === null || s === undefined) return '\\N';
  return special.test(s) ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : s;
}

function text(v: unknown): string {
  return typeof v === 'string' || v === null || v === undefined ? copyText(v) : copyText(String(v));
}

export function copyLine(values: readonly unknown[]): string {
  let line = text(values[0]);
  for (let i = 1; i < values.length; i++) line += '\t' + text(values[i]);
  return line + '\n';
}
