/**
 * Element kinds and the reusable per-element, per-report and per-field state of the import walker.
 * Objects here are allocated once per nesting level and reset, not allocated per element: a
 * 50 MB file has about two million elements.
 */
import type { FieldRecord, ImportFieldType, ReportStatusValue } from '../shared/report-record.ts';

// Element kinds. Containers first; every kind >= LEAF holds text only.
export const DOC = 0;
export const REPORTS = 1;
export const REPORT = 2;
export const FIELDS = 3;
export const FIELD = 4;
export const VALUES = 5;
export const ROWS = 6;
export const ROW = 7;
/** inside an element already reported (unknown, repeated, misplaced): read to its end, check nothing */
export const SKIP = 8;
export const LEAF = 16;
export const R_ID = 16;
export const R_FORM = 17;
export const R_SUMMARY = 18;
export const R_STATUS = 19;
export const R_CATEGORY = 20;
export const R_RAISED_BY = 21;
export const R_OWNER = 22;
export const R_RAISED_FROM = 23;
export const R_RAISED = 24;
export const R_SUBMITTED = 25;
export const R_CLOSED = 26;
export const R_CLOSED_BY = 27;
export const R_MANDATORY = 28;
export const F_LABEL = 29;
export const F_TYPE = 30;
export const F_SECTION = 31;
export const F_VALUE = 32;
/** a `Value` inside `Values` */
export const V_VALUE = 33;

/** Kind of a child of Report, or -1. A switch: faster than hashing a fresh name string per element. */
export function reportChildKind(name: string): number {
  switch (name) {
    case 'ReportId': return R_ID;
    case 'FormName': return R_FORM;
    case 'Summary': return R_SUMMARY;
    case 'ReportStatus': return R_STATUS;
    case 'Category': return R_CATEGORY;
    case 'RaisedBy': return R_RAISED_BY;
    case 'Owner': return R_OWNER;
    case 'RaisedFrom': return R_RAISED_FROM;
    case 'RaisedDate': return R_RAISED;
    case 'SubmittedDate': return R_SUBMITTED;
    case 'ClosedDate': return R_CLOSED;
    case 'ClosedBy': return R_CLOSED_BY;
    case 'IsMandatory': return R_MANDATORY;
    case 'Fields': return FIELDS;
    default: return -1;
  }
}
const REPORT_CHILD_NAMES = [
  'ReportId', 'FormName', 'Summary', 'ReportStatus', 'Category', 'RaisedBy', 'Owner', 'RaisedFrom',
  'RaisedDate', 'SubmittedDate', 'ClosedDate', 'ClosedBy', 'IsMandatory', 'Fields',
];
export const REPORT_CHILD_LIST = REPORT_CHILD_NAMES.join(', ');

/** Kind of a child of Field, or -1. */
export function fieldChildKind(name: string): number {
  switch (name) {
    case 'Label': return F_LABEL;
    case 'FieldType': return F_TYPE;
    case 'SectionName': return F_SECTION;
    case 'Value': return F_VALUE;
    case 'Values': return VALUES;
    case 'Rows': return ROWS;
    default: return -1;
  }
}
export const FIELD_CHILD_LIST = 'Label, FieldType, SectionName, then one of Value, Values or Rows';

/** The name each kind has in the file, for messages and paths of missing elements. */
export const KIND_NAME: Readonly<Record<number, string>> = {
  [REPORTS]: 'Reports', [REPORT]: 'Report', [FIELDS]: 'Fields', [FIELD]: 'Field', [VALUES]: 'Values',
  [ROWS]: 'Rows', [ROW]: 'Row', [F_VALUE]: 'Value', [V_VALUE]: 'Value', [F_LABEL]: 'Label',
  [F_TYPE]: 'FieldType', [F_SECTION]: 'SectionName',
  ...Object.fromEntries(REPORT_CHILD_NAMES.map((name) => [reportChildKind(name), name])),
};

/** Bit of a Report child in `ReportState.seen`. */
export function reportBit(kind: number): number {
  return kind === FIELDS ? 1 << 13 : 1 << (kind - R_ID);
}

/** Where in `Field` an element may stand: Label, FieldType, SectionName, then the value element. */
export function fieldRank(kind: number): number {
  return kind === F_LABEL ? 0 : kind === F_TYPE ? 1 : kind === F_SECTION ? 2 : 3;
}

export const TEXT_REPORTED = 1;
export const NS_SCOPE = 2;

/** One open element. */
export class Frame {
  kind = DOC;
  /** local name as written (without prefix) */
  local = '';
  /** 1-based position among its repeatable siblings (Report, Field, Row, Value in Values); 0 if not indexed */
  index = 0;
  line = 0;
  /** 1-based; 0 when unknown */
  col = 0;
  /** children counted for the rules: Reports' Reports, Fields' Fields, Rows' Rows, Values' Values, Row's Fields */
  count = 0;
  /** text of a leaf so far */
  text = '';
  flags = 0;
}

export class ReportState {
  seen = 0;
  /** index of the first problem found inside this report */
  problemStart = 0;
  id: string | undefined;
  form: number | undefined;
  summary: string | undefined;
  status: ReportStatusValue | undefined;
  statusBad = false;
  category: string | undefined;
  raisedBy: string | undefined;
  owner: string | undefined;
  raisedFrom: string | undefined;
  raised: number | undefined;
  raisedText = '';
  submitted: number | undefined;
  submittedText = '';
  closed: number | undefined;
  closedBy: string | undefined;
  mandatory: boolean | undefined;
  fields: FieldRecord[] = [];
  /** start-tag positions of the Report children, indexed by kind - R_ID */
  readonly line = new Int32Array(13);
  readonly col = new Int32Array(13);

  reset(problemStart: number): void {
    this.seen = 0;
    this.problemStart = problemStart;
    this.id = this.form = this.summary = this.status = this.category = undefined;
    this.raisedBy = this.owner = this.raisedFrom = this.closedBy = undefined;
    this.raised = this.submitted = this.closed = this.mandatory = undefined;
    this.statusBad = false;
    this.raisedText = this.submittedText = '';
    // The record is serialised as soon as the report closes, so the array can be reused.
    this.fields.length = 0;
  }
}

export class FieldState {
  /** bits 1 Label, 2 FieldType, 4 SectionName */
  seen = 0;
  /** highest fieldRank seen so far */
  rank = -1;
  rankKind = 0;
  label: string | undefined;
  /** undefined while unknown or invalid */
  type: ImportFieldType | undefined;
  section: string | undefined;
  /** kind of the value element present (F_VALUE, VALUES or ROWS), 0 if none yet */
  shape = 0;
  value: string | undefined;
  values: string[] | undefined;
  /** characters of the CheckList options so far */
  valuesChars = 0;
  rows: FieldRecord[][] | undefined;
  curRow: FieldRecord[] | undefined;

  reset(): void {
    this.seen = 0;
    this.rank = -1;
    this.rankKind = 0;
    this.shape = 0;
    this.valuesChars = 0;
    this.label = this.type = this.section = this.value = undefined;
    this.values = this.rows = this.curRow = undefined;
  }
}
