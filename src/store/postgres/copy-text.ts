/** Rows in COPY's text format: tab-separated, `\N` for NULL, backslash escapes for what would break a line. */
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const special = /[\\\t\n\r]/;

function text(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  const s = String(v);
  return special.test(s) ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : s;
}

export function copyLine(values: readonly unknown[]): string {
  let line = text(values[0]);
  for (let i = 1; i < values.length; i++) line += '\t' + text(values[i]);
  return line + '\n';
}

/** Sends the lines to `COPY … FROM STDIN` on the connection, in chunks rather than a write per line. */
export async function copyLines(c: pg.PoolClient, sql: string, lines: readonly string[]): Promise<void> {
  function* chunks(): Generator<string> {
    for (let i = 0; i < lines.length; i += 1000) yield lines.slice(i, i + 1000).join('');
  }
  await pipeline(Readable.from(chunks()), c.query(copyFrom(sql)));
}
