/**
 * Import files arrive as one base64 string of tens of megabytes inside a JSON body. Parsing
 * that body whole would hold it three times over (bytes, text, parsed string) before decoding;
 * instead the large string values of top-level byte[] members are found in the raw bytes and
 * decoded straight from there, and only the small remainder goes through JSON.parse.
 */

/** Strings shorter than this are left to JSON.parse. */
const largeValueBytes = 64 * 1024;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export interface SplitBody {
  /** the body with each extracted value replaced by "" */
  rest: Buffer;
  /** raw (still base64) text of each extracted value, by the key as written */
  values: Map<string, string>;
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

/**
 * Returns undefined when the body is small, not a JSON object, or shaped in a way this fast path
 * does not handle (escapes inside the large value); the caller then parses it normally.
 */
export function splitLargeStrings(body: Buffer, wanted: (key: string) => boolean): SplitBody | undefined {
  if (body.length < largeValueBytes) return undefined;
  let i = 0;
  while (i < body.length && isSpace(body[i])) i++;
  if (body[i] !== 0x7b) return undefined;
  const values = new Map<string, string>();
  const pieces: Buffer[] = [];
  let copiedTo = 0;
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
        if (body[j] === QUOTE && wanted(key)) {
          const valueEnd = stringEnd(body, j + 1);
          if (valueEnd < 0) return undefined;
          if (valueEnd - j > largeValueBytes) {
            if (body.indexOf(BACKSLASH, j + 1) !== -1 && body.indexOf(BACKSLASH, j + 1) < valueEnd) return undefined;
            values.set(key, body.toString('latin1', j + 1, valueEnd));
            pieces.push(body.subarray(copiedTo, j + 1));
            copiedTo = valueEnd;
          }
          i = valueEnd;
          expectKey = false;
          continue;
        }
        i = end;
        expectKey = false;
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
  if (values.size === 0) return undefined;
  pieces.push(body.subarray(copiedTo));
  return { rest: Buffer.concat(pieces), values };
}
