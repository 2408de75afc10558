import type { EnumValue } from '../model/dsl.ts';
import type { FieldType, ReportStatus } from '../model/enums.ts';
import type { ImportErrorCode } from './import-error-codes.ts';

/** The normalised form of one `<Report>` of an import file, as the parser hands it to the store. */
export interface ReportRecord {
  /** ReportId, lower-case dashed GUID */
  id: string;
  /** primary key of the form the report belongs to */
  form: number;
  summary: string;
  status: ReportStatusValue;
  category?: string;
  raisedBy: string;
  owner?: string;
  raisedFrom?: string;
  /** epoch milliseconds, UTC */
  raised: number;
  submitted?: number;
  closed?: number;
  closedBy?: string;
  mandatory: boolean;
  fields: FieldRecord[];
}

/** what a report can be in; the other ReportStatus values are filters */
export type ReportStatusValue = Exclude<EnumValue<typeof ReportStatus>, 'All' | 'NewAndOpen'>;

export type ImportFieldType = Exclude<EnumValue<typeof FieldType>, 'All'>;

export interface FieldRecord {
  label: string;
  type: ImportFieldType;
  section?: string;
  /** every type but CheckList and SectionRepeater */
  value?: string;
  /** CheckList */
  values?: string[];
  /** SectionRepeater: each row holds its own fields */
  rows?: FieldRecord[][];
}

/** One problem found in an import file; becomes a ResponseError. */
export interface ImportProblem {
  /** path such as `Reports/Report[3]/RaisedDate` */
  fieldName: string;
  errorCode: ImportErrorCode;
  message: string;
  line?: number;
  column?: number;
  reportId?: string;
}

/** A form the importing organisation may use, looked up by name (case-insensitive). */
export interface FormRef {
  pk: number;
  name: string;
  active: boolean;
}

export interface ImportLimits {
  /** largest decoded file accepted, in bytes */
  maxFileBytes: number;
  /** deepest element nesting accepted */
  maxDepth: number;
  /** most elements in one file */
  maxElements: number;
  /** most <Report> elements in one file */
  maxReports: number;
  /** most problems listed in one error response */
  maxErrors: number;
  /** most SectionRepeater fields nested inside each other */
  maxRepeaterDepth: number;
}

export const defaultImportLimits: ImportLimits = {
  maxFileBytes: 64 * 1024 * 1024,
  maxDepth: 32,
  maxElements: 10_000_000,
  maxReports: 100_000,
  maxErrors: 100,
  maxRepeaterDepth: 3,
};
