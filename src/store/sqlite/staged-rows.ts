/**
 * The staged rows SQLite takes: each report's and each field's values one after another, in the
 * order of the staging statements' parameters (sql/imports.ts), which bind them one by one.
 */
import type { FieldRecord, ReportRecord } from '../../shared/report-record.ts';
import type { RowWriter } from '../staged-rows.ts';

/**
 * The values in segments, each holding whole rows: REPORT_WIDTH values per report, FIELD_WIDTH per
 * field. A segment stays an ordinary young object, which dies at the next scavenge once written;
 * one array for a whole batch would be a large object, and dead ones wait for a full collection.
 */
export type SqliteColumns = unknown[][];

/**
 * report_id, form_pk, summary, status, category, owner, raised_by, raised_from, closed_by,
 * raised_date, submitted_date, closed_date, is_mandatory (org_id and import_pk are the batch's)
 */
export const REPORT_WIDTH = 13;
/**
 * field_id, parent_field_id, row_index, position, label, field_type, section_name, section_id,
 * value, values_json (report_pk and bank_pk come from the store)
 */
export const FIELD_WIDTH = 10;

/** values per segment at most: 8 KB of them keeps an array well below V8's large-object size */
const SEGMENT_VALUES = 8000;

class Segments {
  readonly all: unknown[][] = [];
  private current: unknown[] = [];

  constructor(private readonly width: number) {
    this.all.push(this.current);
  }

  /** the segment with room for one more row */
  row(): unknown[] {
    if (this.current.length + this.width > SEGMENT_VALUES) this.all.push((this.current = []));
    return this.current;
  }
}

export class SqliteRowWriter implements RowWriter<SqliteColumns> {
  private readonly reports = new Segments(REPORT_WIDTH);
  private readonly fields = new Segments(FIELD_WIDTH);

  report(r: ReportRecord): void {
    this.reports.row().push(r.id, r.form, r.summary, r.status, r.category ?? null, r.owner ?? null, r.raisedBy, r.raisedFrom ?? null,
      r.closedBy ?? null, r.raised, r.submitted ?? null, r.closed ?? null, r.mandatory ? 1 : 0);
  }

  field(fieldId: string, parent: string | null, rowIndex: number | null, position: number, f: FieldRecord, sectionId: string | null): void {
    this.fields.row().push(fieldId, parent, rowIndex, position, f.label, f.type, f.section ?? null, sectionId, f.value ?? null,
      f.values ? JSON.stringify(f.values) : null);
  }

  take(): { reports: SqliteColumns; fields: SqliteColumns } {
    return { reports: this.reports.all, fields: this.fields.all };
  }
}
