/**
 * Option values of the generated client types arrive in the query string and the Host header and
 * are echoed into a comment of generated code: each is checked against what the option can mean,
 * and the comment text is escaped besides, so that no request can write code outside the comment.
 */
import { Errors } from '../../shared/errors.ts';

const typeEntry = /^[A-Za-z_][A-Za-z0-9_]*(\.\*)?$/;
const safeOrigin = /^https?:\/\/(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export function booleanOption(name: string, value: string): boolean {
  const v = value.toLowerCase();
  if (v === '' || v === 'true') return true;
  if (v === 'false') return false;
  throw Errors.invalidTypesOption(name, value, 'True or False');
}

/** `Name` or `Name.*` (the type and those it refers to), comma-separated. */
export function typeListOption(name: string, value: string): string[] {
  const entries = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const e of entries) if (!typeEntry.test(e)) throw Errors.invalidTypesOption(name, value, 'a comma-separated list of type names, each optionally followed by .*');
  return entries;
}

/** The scheme and host a client called, refused when the Host header holds more than a host and port. */
export function checkedOrigin(origin: string): string {
  if (!safeOrigin.test(origin)) throw Errors.invalidTypesOption('Host', origin, 'a host name or address with an optional port');
  return origin;
}

/** Text for one line of a `/* … *\/` comment: it can neither close nor nest the comment. */
export function blockCommentText(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]/g, ' ').replace(/\*\//g, '*\\/').replace(/\/\*/g, '/\\*');
}
