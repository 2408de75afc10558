/**
 * Value rules of the import format (spec: /work/shared/spec/report-import-xml.md, "Rules").
 * Lexical forms deliberately match schema/report-import.xsd, so that a value the XSD accepts is
 * accepted here and the other way round: e.g. date-times are the xs:dateTime form with a 4-digit
 * year, and lengths count Unicode characters after trimming XML whitespace.
 */
import { ImportErrorCode } from './import-error-codes.ts';
import type { ImportFieldType, ReportStatusValue } from './report-record.ts';
import { longerThan, quote } from './xml-text.ts';

export const MAX_SUMMARY = 500;
export const MAX_SHORT_TEXT = 200;
export const MAX_TEXTBOX = 1_000;
export const MAX_TEXTAREA = 100_000;
/** SelectList, RadioGroup, Location and each CheckList item */
export const MAX_OPTION = 1_000;

export const REPORT_STATUSES: readonly ReportStatusValue[] = ['Draft', 'New', 'Open', 'Closed'];
export const FIELD_TYPES: readonly ImportFieldType[] = [
  'TextBox', 'TextArea', 'Numerical', 'Date', 'DateTime', 'CheckList',
  'SelectList', 'RadioGroup', 'Location', 'SectionRepeater',
];
const STATUS_SET = new Set<string>(REPORT_STATUSES);
const FIELD_TYPE_SET = new Set<string>(FIELD_TYPES);

export interface RuleFailure { code: string; message: string }

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

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:Z|([+-])(\d{2}):(\d{2}))?$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
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

function validDate(y: number, m: number, d: number): boolean {
  return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

/**
 * Epoch milliseconds of `yyyy-MM-ddTHH:mm:ss[.fff…][Z|±hh:mm]`, or null. No offset means UTC.
 * Fractions beyond milliseconds are cut off, not rounded, so a value never moves across a second.
 */
export function parseDateTime(s: string): number | null {
  const m = DATE_TIME.exec(s);
  if (m === null) return null;
  const y = +m[1], mo = +m[2], d = +m[3], h = +m[4], mi = +m[5], sec = +m[6];
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || sec > 59) return null;
  let offset = 0;
  if (m[8] !== undefined) {
    const oh = +m[9], om = +m[10];
    if (oh > 14 || om > 59 || oh * 60 + om > 840) return null;
    offset = (m[8] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const ms = m[7] === undefined ? 0 : +(m[7] + '00').slice(0, 3);
  return daysFromCivil(y, mo, d) * 86_400_000 + ((h * 60 + mi - offset) * 60 + sec) * 1000 + ms;
}

export function isCalendarDate(s: string): boolean {
  const m = DATE_ONLY.exec(s);
  return m !== null && validDate(+m[1], +m[2], +m[3]);
}

export function isDecimal(s: string): boolean {
  return DECIMAL.test(s);
}

export function parseStatus(s: string): ReportStatusValue | null {
  return STATUS_SET.has(s) ? (s as ReportStatusValue) : null;
}

export function parseFieldType(s: string): ImportFieldType | null {
  return FIELD_TYPE_SET.has(s) ? (s as ImportFieldType) : null;
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

/** Checks the trimmed `Value` of a field whose type takes a single Value. */
export function checkFieldValue(type: ImportFieldType, v: string, label: string | undefined): RuleFailure | null {
  const of = label === undefined ? `of this ${type} field` : `of ${type} field ${quote(label)}`;
  switch (type) {
    case 'TextBox': return tooLong(v, MAX_TEXTBOX, `Value ${of}`);
    case 'TextArea': return tooLong(v, MAX_TEXTAREA, `Value ${of}`);
    case 'Location': return tooLong(v, MAX_OPTION, `Value ${of}`);
    case 'SelectList':
    case 'RadioGroup':
      if (v === '') return { code: ImportErrorCode.Empty, message: `Value ${of} is empty; it must name the option chosen.` };
      return tooLong(v, MAX_OPTION, `Value ${of}`);
    case 'Numerical':
      if (v === '') return { code: ImportErrorCode.Empty, message: `Value ${of} is empty; it must be a decimal number such as 1200 or -3.5.` };
      return isDecimal(v) ? null : {
        code: ImportErrorCode.InvalidNumber,
        message: `Value ${quote(v)} ${of} is not a decimal number (expected e.g. 1200, -3.5 or 0.25; no exponent or thousands separator).`,
      };
    case 'Date':
      if (v === '') return { code: ImportErrorCode.Empty, message: `Value ${of} is empty; it must be a date such as 2026-03-01.` };
      return isCalendarDate(v) ? null : {
        code: ImportErrorCode.InvalidDate,
        message: `Value ${quote(v)} ${of} is not a calendar date in the form yyyy-MM-dd (e.g. 2026-03-01).`,
      };
    case 'DateTime':
      if (v === '') return { code: ImportErrorCode.Empty, message: `Value ${of} is empty; it must be a date-time such as 2026-03-01T10:15:00Z.` };
      return parseDateTime(v) !== null ? null : {
        code: ImportErrorCode.InvalidDate,
        message: `Value ${quote(v)} ${of} is not an ISO 8601 date-time (expected e.g. 2026-03-01T10:15:00Z or 2026-03-01T11:15:00+01:00).`,
      };
    default:
      return null;
  }
}

/** `what` is how the message names the value, e.g. "Summary". */
export function tooLong(v: string, max: number, what: string): RuleFailure | null {
  return longerThan(v, max)
    ? { code: ImportErrorCode.TooLong, message: `${what} is longer than ${max.toLocaleString('en-US')} characters.` }
    : null;
}
