/** Sending COPY text to the server. */
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

/** Sends the lines to `COPY … FROM STDIN` on the connection, in chunks rather than a write per line. */
export async function copyLines(c: pg.PoolClient, sql: string, lines: readonly string[]): Promise<void> {
  function* chunks(): Generator<string> {
    for (let i = 0; i < lines.length; i += 1000) yield lines.slice(i, i + 1000).join('');
  }
  await copyChunks(c, sql, chunks());
}

/** Sends text already cut into chunks (strings, or UTF-8 bytes) to `COPY … FROM STDIN` on the connection. */
export async function copyChunks(c: pg.PoolClient, sql: string, chunks: Iterable<string | Buffer>): Promise<void> {
  await pipeline(Readable.from(chunks), c.query(copyFrom(sql)));
}
