/**
 * Byte- and character-level helpers for the import parser: the encoding gate that runs before any
 * XML is read, and the whitespace and length rules shared with the XSD (which count the four XML
 * whitespace characters only and measure lengths in Unicode characters, not UTF-16 units).
 */
import { isUtf8 } from 'node:buffer';
import { FILE_FIELD, ImportErrorCode } from '../shared/import-error-codes.ts';
import type { ImportProblem } from '../shared/report-record.ts';

export type EncodingCheck = { ok: true; start: number } | { ok: false; problem: ImportProblem };

/**
 * Decides whether `file` may be handed to the XML parser as UTF-8. On success `start` is the
 * offset of the first byte after a UTF-8 byte-order mark (0 without one).
 */
export function checkFileEncoding(file: Uint8Array): EncodingCheck {
  const n = file.length;
  const b0 = n > 0 ? file[0] : -1;
  const b1 = n > 1 ? file[1] : -1;
  if (n >= 4 && ((b0 === 0 && b1 === 0 && file[2] === 0xfe && file[3] === 0xff) ||
    (b0 === 0xff && b1 === 0xfe && file[2] === 0 && file[3] === 0))) {
    return encodingProblem('The file is UTF-32 encoded (it starts with a UTF-32 byte-order mark); only UTF-8 is accepted.');
  }
  if ((b0 === 0xfe && b1 === 0xff) || (b0 === 0xff && b1 === 0xfe)) {
    return encodingProblem('The file is UTF-16 encoded (it starts with a UTF-16 byte-order mark); only UTF-8 is accepted.');
  }
  // "<" followed or preceded by NUL: UTF-16/32 without a byte-order mark. Named here because the
  // XML parser would only say "invalid character".
  if (n >= 2 && (b0 === 0 || b1 === 0)) {
    return encodingProblem('The file looks UTF-16 or UTF-32 encoded (it contains NUL bytes); only UTF-8 is accepted.');
  }
  const start = n >= 3 && b0 === 0xef && b1 === 0xbb && file[2] === 0xbf ? 3 : 0;
  if (start === n) {
    return {
      ok: false,
      problem: {
        fieldName: FILE_FIELD, errorCode: ImportErrorCode.XmlSyntax, line: 1, column: 1,
        message: 'The file is empty; expected an XML document whose root element is Reports.',
      },
    };
  }
  if (!isUtf8(file)) {
    // isUtf8 and this scan follow the same definition; the fallback only guards against a disagreement.
    const at = Math.max(0, findInvalidUtf8(file, start));
    const { line, column } = lineColumnAt(file, at);
    return {
      ok: false,
      problem: {
        fieldName: FILE_FIELD, errorCode: ImportErrorCode.InvalidUtf8, line, column,
        message: `The file is not valid UTF-8: byte offset ${at} (line ${line}, column ${column}) holds ` +
          `0x${file[at].toString(16).padStart(2, '0')}, which does not start a valid UTF-8 sequence there. ` +
          'Save the file as UTF-8.',
      },
    };
  }
  return { ok: true, start };
}

function encodingProblem(message: string): EncodingCheck {
  return {
    ok: false,
    problem: { fieldName: FILE_FIELD, errorCode: ImportErrorCode.UnsupportedEncoding, message, line: 1, column: 1 },
  };
}

const LT = 0x3c;

function at(b: Uint8Array, i: number, ascii: string): boolean {
  if (i + ascii.length > b.length) return false;
  for (let k = 0; k < ascii.length; k++) if (b[i + k] !== ascii.charCodeAt(k)) return false;
  return true;
}

/**
 * Checks the prolog (what precedes the root element): the XML declaration must not name another
 * encoding than UTF-8, there must be no DOCTYPE, and no text (a file that is not XML at all). Done on the bytes, before parsing, so the
 * XML parser never reads a DTD. Stops at the first construct that cannot be part of a prolog;
 * anything malformed there is left to the parser to report.
 */
export function checkProlog(file: Uint8Array, start: number): ImportProblem | null {
  const b = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  let i = start;
  if (at(b, i, '<?xml') && isXmlSpace(b[i + 5] ?? 0)) {
    const end = b.indexOf('?>', i);
    if (end < 0) return null;
    const version = /\sversion\s*=\s*(["'])([^"']*)\1/.exec(b.toString('latin1', i, end));
    if (version !== null && version[2] !== '1.0') {
      return {
        fieldName: FILE_FIELD, errorCode: ImportErrorCode.XmlSyntax, line: 1, column: 1,
        message: `The XML declaration names version ${quote(version[2])}; only XML 1.0 is accepted (write version="1.0").`,
      };
    }
    const m = /\sencoding\s*=\s*(["'])([^"']*)\1/.exec(b.toString('latin1', i, end));
    if (m !== null && !isUtf8EncodingName(m[2])) {
      return {
        fieldName: FILE_FIELD, errorCode: ImportErrorCode.UnsupportedEncoding, line: 1, column: 1,
        message: `The XML declaration names encoding ${quote(m[2])}; only UTF-8 is accepted ` +
          '(write encoding="utf-8" or leave the encoding out).',
      };
    }
    i = end + 2;
  }
  while (i < b.length) {
    const c = b[i];
    if (isXmlSpace(c)) { i++; continue; }
    if (c !== LT) {
      const { line, column } = lineColumnAt(b, i);
      return {
        fieldName: FILE_FIELD, errorCode: ImportErrorCode.XmlSyntax, line, column,
        message: `The file is not XML: it must start with an XML element (or an XML declaration), found text at line ${line}, column ${column}.`,
      };
    }
    let end: number;
    if (at(b, i, '<!--')) end = b.indexOf('-->', i + 4) + 3;
    else if (at(b, i, '<?')) end = b.indexOf('?>', i + 2) + 2;
    else if (at(b, i, '<!DOCTYPE')) {
      const { line, column } = lineColumnAt(b, i);
      return {
        fieldName: FILE_FIELD, errorCode: ImportErrorCode.DoctypeNotAllowed, line, column,
        message: DOCTYPE_MESSAGE,
      };
    } else return null;
    if (end < i) return null;
    i = end;
  }
  return null;
}

export const DOCTYPE_MESSAGE = 'The file contains a DOCTYPE declaration; import files may not have one ' +
  '(no DTDs, and no entities beyond &amp; &lt; &gt; &quot; &apos;). Remove it.';

/** Offset of the first byte of the first ill-formed UTF-8 sequence at or after `from`, or -1. */
function findInvalidUtf8(b: Uint8Array, from: number): number {
  const n = b.length;
  let i = from;
  while (i < n) {
    const c = b[i];
    if (c < 0x80) { i++; continue; }
    let need: number;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) need = 2;
    else if (c >= 0xf0 && c <= 0xf4) need = 3;
    else return i;
    if (i + need >= n) return i;
    const c1 = b[i + 1];
    // The second byte's range excludes overlong forms, UTF-16 surrogates and code points past U+10FFFF.
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    if (c1 < lo || c1 > hi) return i;
    for (let k = 2; k <= need; k++) if ((b[i + k] & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return -1;
}

/** 1-based line and character column of a byte offset. */
function lineColumnAt(b: Uint8Array, offset: number): { line: number; column: number } {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  let line = 1;
  let lineStart = 0;
  for (let p = buf.indexOf(0x0a, 0); p >= 0 && p < offset; p = buf.indexOf(0x0a, p + 1)) {
    line++;
    lineStart = p + 1;
  }
  let column = 1;
  for (let p = lineStart; p < offset; p++) if ((buf[p] & 0xc0) !== 0x80) column++;
  return { line, column };
}

/** Whether an XML declaration's encoding name means UTF-8. */
function isUtf8EncodingName(name: string): boolean {
  const n = name.toLowerCase();
  return n === 'utf-8' || n === 'utf8';
}

function isXmlSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

/** Trims XML whitespace only (not NBSP or other Unicode spaces, which are data). */
export function trimXml(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isXmlSpace(s.charCodeAt(a))) a++;
  while (b > a && isXmlSpace(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

export function isXmlWhitespace(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isXmlSpace(s.charCodeAt(i))) return false;
  return true;
}

/** Whether `s` has more than `max` Unicode characters (a surrogate pair counts once). */
export function longerThan(s: string, max: number): boolean {
  return s.length > max && characterCount(s) > max;
}

export function characterCount(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++;
  }
  return n;
}

/** A value quoted for a message, shortened so a huge value is not echoed back whole. */
export function quote(v: string, max = 60): string {
  const short = v.length > max ? `${v.slice(0, max)}…` : v;
  return `'${short}'`;
}
