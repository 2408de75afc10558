/**
 * Import files arrive as one base64 string of tens of megabytes inside a JSON body. Parsing that
 * body whole would hold it three times over (bytes, text, parsed string) before decoding. Instead
 * the large string values of top-level byte[] members are found in the raw bytes and decoded in
 * place, 64 KB at a time (small strings stay in the CPU cache); only the small remainder of the
 * body goes through JSON.parse.
 */

/** Strings shorter than this are left to JSON.parse. */
const largeValueBytes = 64 * 1024;
/** base64 characters decoded at a time: a multiple of 4 */
const decodeChunk = 64 * 1024;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export interface SplitBody {
  /** the body with each extracted value replaced by "" */
  rest: Buffer;
  /** each extracted value decoded (a view into the body), or undefined when it is not valid base64 */
  values: Map<string, Buffer | undefined>;
}

function stringEnd(body: Buffer, from: number): number {
  let end = body.indexOf(QUOTE, from);
  while (end > 0) {
    let slashes = 0;
    for (let k = end - 1; body[k] === BACKSLASH; k--) slashes++;
    if (slashes % 2 === 0) return end;
    end = body.indexOf(QUOTE, end + 1);
  }
  return -1;
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
const base64Body = /^[A-Za-z0-9+/]*$/;
const base64Tail = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes body[start, end) over itself; the decoded bytes end up at body[start, start + n). */
function decodeInPlace(body: Buffer, start: number, end: number): Buffer | undefined {
  if ((end - start) % 4 === 1) return undefined;
  let written = start;
  for (let p = start; p < end; p += decodeChunk) {
    const last = p + decodeChunk >= end;
    const text = body.toString('latin1', p, Math.min(p + decodeChunk, end));
    if (!(last ? base64Tail : base64Body).test(text)) return undefined;
    written += body.write(text, written, 'base64');
  }
  return body.subarray(start, written);
}

/**
 * Returns undefined when the body is small, not a JSON object, or shaped in a way this fast path
 * does not handle (escapes inside the large value); the caller then parses it normally.
 * The body's bytes are overwritten where values were decoded.
 */
export function splitLargeStrings(body: Buffer, wanted: (key: string) => boolean): SplitBody | undefined {
  if (body.length < largeValueBytes) return undefined;
  let i = 0;
  while (i < body.length && isSpace(body[i])) i++;
  if (body[i] !== 0x7b) return undefined;
  const ranges: Array<{ key: string; start: number; end: number }> = [];
  let depth = 0;
  let expectKey = true;
  for (; i < body.length; i++) {
    const c = body[i];
    if (c === QUOTE) {
      const end = stringEnd(body, i + 1);
      if (end < 0) return undefined;
      if (depth === 1 && expectKey) {
        let key: string;
        try {
          key = JSON.parse(body.toString('utf8', i, end + 1));
        } catch {
          return undefined;
        }
        let j = end + 1;
        while (j < body.length && isSpace(body[j])) j++;
        if (body[j] !== 0x3a) return undefined;
        j++;
        while (j < body.length && isSpace(body[j])) j++;
        expectKey = false;
        if (body[j] === QUOTE && wanted(key)) {
          const valueEnd = stringEnd(body, j + 1);
          if (valueEnd < 0) return undefined;
          // a repeated key, or escapes inside the value: leave the body to JSON.parse
          if (ranges.some((r) => r.key === key)) return undefined;
          if (valueEnd - j > largeValueBytes) {
            if (body.subarray(j + 1, valueEnd).includes(BACKSLASH)) return undefined;
            ranges.push({ key, start: j + 1, end: valueEnd });
          }
          i = valueEnd;
          continue;
        }
        i = end;
        continue;
      }
      i = end;
      continue;
    }
    if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth === 1) expectKey = true;
    } else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x2c && depth === 1) expectKey = true;
  }
  if (ranges.length === 0) return undefined;
  const pieces: Buffer[] = [];
  let copiedTo = 0;
  for (const r of ranges) {
    pieces.push(body.subarray(copiedTo, r.start));
    copiedTo = r.end;
  }
  pieces.push(body.subarray(copiedTo));
  // copy the remainder out before the values are decoded over the body
  const rest = Buffer.concat(pieces);
  const values = new Map<string, Buffer | undefined>();
  for (const r of ranges) values.set(r.key, decodeInPlace(body, r.start, r.end));
  return { rest, values };
}
