/**
 * Value rules of the import format (docs/import-format.md, "Elements").
 * Lexical forms deliberately match schema/report-import.xsd, so that a value the XSD accepts is
 * accepted here and the other way round: e.g. date-times are the xs:dateTime form with a 4-digit
 * year, and lengths count Unicode characters after trimming XML whitespace.
 */
import { ImportErrorCode } from '../shared/import-error-codes.ts';
import type { ImportFieldType, ReportStatusValue } from '../shared/report-record.ts';
import { longerThan, quote } from './xml-text.ts';

export const MAX_SUMMARY = 500;
export const MAX_SHORT_TEXT = 200;
const MAX_TEXTBOX = 1_000;
const MAX_TEXTAREA = 100_000;
/** SelectList, RadioGroup, Location and each CheckList item */
export const MAX_OPTION = 1_000;

/** most options checked in one CheckList */
export const MAX_CHECKLIST_OPTIONS = 500;
/** most characters of all a CheckList's options together, as a TextArea: this bounds a GetReportFields page */
export const MAX_CHECKLIST_CHARS = 100_000;
/** most fields in one report, the fields of SectionRepeater rows included */
export const MAX_REPORT_FIELDS = 2_000;
/** most significant digits of a Numerical value: what a .NET decimal holds */
const MAX_DECIMAL_DIGITS = 28;

export const REPORT_STATUSES: readonly ReportStatusValue[] = ['Draft', 'New', 'Open', 'Closed'];
export const FIELD_TYPES: readonly ImportFieldType[] = [
  'TextBox', 'TextArea', 'Numerical', 'Date', 'DateTime', 'CheckList',
  'SelectList', 'RadioGroup', 'Location', 'SectionRepeater',
];
const STATUS_SET = new Set<string>(REPORT_STATUSES);

const MIN_INSTANT_MS = -62135596800000;
const MAX_INSTANT_MS = 253402300799999;

export interface RuleFailure { code: ImportErrorCode; message: string }

const GUID_DASHED = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const GUID_PLAIN = /^[0-9a-fA-F]{32}$/;

/** Lower-case dashed form of a GUID written dashed or as 32 hex digits, or null. */
export function normaliseGuid(s: string): string | null {
  if (s.length === 36 && GUID_DASHED.test(s)) return s.toLowerCase();
  if (s.length === 32 && GUID_PLAIN.test(s)) {
    const h = s.toLowerCase();
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  return null;
}

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date; exact for every 4-digit year (Date.UTC maps 0-99 to 19xx). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

/** Value of `count` ASCII digits at `at`, or -1. */
function digits(s: string, at: number, count: number): number {
  let v = 0;
  for (let k = 0; k < count; k++) {
    const d = s.charCodeAt(at + k) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Days since 1970-01-01 of `yyyy-MM-dd` at the start of `s` (negative before 1970), or NaN. */
function datePart(s: string): number {
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return NaN;
  const y = digits(s, 0, 4);
  const m = digits(s, 5, 2);
  const d = digits(s, 8, 2);
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return NaN;
  return daysFromCivil(y, m, d);
}

/**
 * Epoch milliseconds of `yyyy-MM-ddTHH:mm:ss[.fff…][Z|±hh:mm]`, or null. No offset means UTC.
 * Fractions beyond milliseconds are cut off, not rounded, so a value never moves across a second.
 * Hand-parsed: this runs for several values of every report.
 */
export function parseDateTime(s: string): number | null {
  const n = s.length;
  if (n < 19 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return null;
  const days = datePart(s);
  const h = digits(s, 11, 2);
  const mi = digits(s, 14, 2);
  const sec = digits(s, 17, 2);
  if (Number.isNaN(days) || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59) return null;
  let i = 19;
  let ms = 0;
  if (i < n && s.charCodeAt(i) === 46) {
    const start = ++i;
    for (; i < n; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      if (i - start < 3) ms = ms * 10 + d;
    }
    if (i === start) return null;
    if (i - start === 1) ms *= 100;
    else if (i - start === 2) ms *= 10;
  }
  let offset = 0;
  if (i < n) {
    const sign = s.charCodeAt(i);
    if (sign === 90) { // Z
      if (i + 1 !== n) return null;
    } else {
      if ((sign !== 43 && sign !== 45) || i + 6 !== n || s.charCodeAt(i + 3) !== 58) return null;
      const oh = digits(s, i + 1, 2);
      const om = digits(s, i + 4, 2);
      if (oh < 0 || om < 0 || om > 59 || oh * 60 + om > 840) return null;
      offset = (sign === 45 ? -1 : 1) * (oh * 60 + om);
    }
  }
  const t = days * 86_400_000 + ((h * 60 + mi - offset) * 60 + sec) * 1000 + ms;
  // an offset can push 9999-12-31 into year 10000 or 0001-01-01 into year 0: not a .NET DateTime
  return t >= MIN_INSTANT_MS && t <= MAX_INSTANT_MS ? t : null;
}

export function isCalendarDate(s: string): boolean {
  return s.length === 10 && !Number.isNaN(datePart(s));
}

/** A decimal number a .NET decimal holds: at most 28 significant digits, so also within ±7.9e28. */
function isDecimal(s: string): boolean {
  if (s.length > 64 || !DECIMAL.test(s)) return false;
  const digitsOnly = s.replace(/^[+-]/, '').replace('.', '').replace(/^0+/, '');
  const point = s.indexOf('.');
  const integer = (point < 0 ? s : s.slice(0, point)).replace(/^[+-]?0*/, '');
  return integer.length <= MAX_DECIMAL_DIGITS && digitsOnly.replace(/0+$/, '').length <= MAX_DECIMAL_DIGITS;
}

export function parseStatus(s: string): ReportStatusValue | null {
  return STATUS_SET.has(s) ? (s as ReportStatusValue) : null;
}

export function parseFieldType(s: string): ImportFieldType | null {
  switch (s) {
    case 'TextBox': case 'TextArea': case 'Numerical': case 'Date': case 'DateTime': case 'CheckList':
    case 'SelectList': case 'RadioGroup': case 'Location': case 'SectionRepeater':
      return s;
    default:
      return null;
  }
}

/** xs:boolean's lexical space, which the spec adopts for IsMandatory. */
export function parseBoolean(s: string): boolean | null {
  switch (s) {
    case 'true': case '1': return true;
    case 'false': case '0': return false;
    default: return null;
  }
}

/** The element a field of this type carries its answer in. */
export function valueElementFor(type: ImportFieldType): 'Value' | 'Values' | 'Rows' {
  return type === 'CheckList' ? 'Values' : type === 'SectionRepeater' ? 'Rows' : 'Value';
}

/**
 * Checks the trimmed `Value` of a field whose type takes a single Value. The common case (a good
 * value) allocates nothing; messages are put together only for a bad one.
 */
export function checkFieldValue(type: ImportFieldType, v: string, label: string | undefined): RuleFailure | null {
  let max = 0;
  switch (type) {
    case 'TextBox': max = MAX_TEXTBOX; break;
    case 'TextArea': max = MAX_TEXTAREA; break;
    case 'Location': max = MAX_OPTION; break;
    case 'SelectList':
    case 'RadioGroup':
      if (v === '') return { code: ImportErrorCode.Empty, message: `Value ${describe(type, label)} is empty; it must name the option chosen.` };
      max = MAX_OPTION;
      break;
    case 'Numerical':
      if (v !== '' && isDecimal(v)) return null;
      return v === ''
        ? { code: ImportErrorCode.Empty, message: `Value ${describe(type, label)} is empty; it must be a decimal number such as 1200 or -3.5.` }
        : {
          code: ImportErrorCode.InvalidNumber,
          message: `Value ${quote(v)} ${describe(type, label)} is not a decimal number (expected e.g. 1200, -3.5 or 0.25; at most 28 significant digits; no exponent or thousands separator).`,
        };
    case 'Date':
      if (isCalendarDate(v)) return null;
      return v === ''
        ? { code: ImportErrorCode.Empty, message: `Value ${describe(type, label)} is empty; it must be a date such as 2026-03-01.` }
        : {
          code: ImportErrorCode.InvalidDate,
          message: `Value ${quote(v)} ${describe(type, label)} is not a calendar date in the form yyyy-MM-dd (e.g. 2026-03-01).`,
        };
    case 'DateTime':
      if (parseDateTime(v) !== null) return null;
      return v === ''
        ? { code: ImportErrorCode.Empty, message: `Value ${describe(type, label)} is empty; it must be a date-time such as 2026-03-01T10:15:00Z.` }
        : {
          code: ImportErrorCode.InvalidDate,
          message: `Value ${quote(v)} ${describe(type, label)} is not an ISO 8601 date-time (expected e.g. 2026-03-01T10:15:00Z or 2026-03-01T11:15:00+01:00).`,
        };
    default:
      return null;
  }
  return longerThan(v, max) ? tooLong(v, max, `Value ${describe(type, label)}`) : null;
}

function describe(type: ImportFieldType, label: string | undefined): string {
  return label === undefined ? `of this ${type} field` : `of ${type} field ${quote(label)}`;
}

/** `what` is how the message names the value, e.g. "Summary". */
function tooLong(v: string, max: number, what: string): RuleFailure | null {
  return longerThan(v, max)
    ? { code: ImportErrorCode.TooLong, message: `${what} is longer than ${max.toLocaleString('en-US')} characters.` }
    : null;
}
