/**
 * Reports as a store stages them: rows built where the file is read (a parser thread), so the
 * thread that writes them adds only what the store alone knows, cheaply: each report's key, known
 * as it is written, and each field's field-bank key, looked up by label and type once per batch.
 *
 * Each dialect says how its columns are laid out and encoded (sqlite/staged-rows.ts,
 * postgres/staged-rows.ts); the walk over a report's fields and what refers across rows (the
 * report of each field, the bank key of each field, field and section ids) are the same for both.
 * Field and section ids are time-ordered UUIDs, which need no database.
 *
 * A batch is plain data (strings, arrays, typed arrays): it crosses threads by structured clone,
 * and its typed arrays can be transferred.
 */
import type { FieldRecord, ReportRecord } from '../shared/report-record.ts';
import { orderedUuid } from './ordered-uuid.ts';
import { SqliteRowWriter, type SqliteColumns } from './sqlite/staged-rows.ts';
import { PostgresRowWriter, type CopyColumns } from './postgres/staged-rows.ts';

interface StagedRowsOf<D extends string, C> {
  dialect: D;
  /** ReportId of each report, in file order */
  reportIds: string[];
  /** the reports' columns, without the report key */
  reports: C;
  /** the fields' columns (a repeater's rows follow it), without the report key and the bank key */
  fields: C;
  /** per field: the index in `reportIds` of its report */
  fieldReport: Uint32Array;
  /** per field: the index in `bankLabels` / `bankTypes` of its bank field */
  fieldBank: Uint32Array;
  /** the batch's distinct bank fields: lower-cased label, and field type */
  bankLabels: string[];
  bankTypes: string[];
}

export type SqliteStagedRows = StagedRowsOf<'sqlite', SqliteColumns>;
export type PostgresStagedRows = StagedRowsOf<'postgres', CopyColumns>;
export type StagedRows = SqliteStagedRows | PostgresStagedRows;
export type StagingDialect = StagedRows['dialect'];

/**
 * SQLite's rows hold the strings the parser read, and with them the pieces of the file those are
 * cut from: small batches keep little of that alive at a time. PostgreSQL's rows are bytes as soon
 * as written, and each batch costs a transaction and round trips: they go a chunk at a time.
 */
const BATCH_REPORTS: Record<StagingDialect, number> = { sqlite: 100, postgres: Infinity };

/** How a dialect writes the columns of one report and of one field; `take` ends the batch. */
export interface RowWriter<C> {
  report(r: ReportRecord): void;
  field(fieldId: string, parent: string | null, rowIndex: number | null, position: number, f: FieldRecord, sectionId: string | null): void;
  take(): { reports: C; fields: C };
}

/** Collects reports into a batch of rows for `dialect`, one report at a time. */
export class StagedRowsBuilder {
  private writer: RowWriter<unknown>;
  private reportIds: string[] = [];
  private fieldReport: number[] = [];
  private fieldBank: number[] = [];
  /** `lower-cased label \0 type` → index in bankLabels */
  private banks = new Map<string, number>();
  /** label as written → type → index in bankLabels */
  private banksByLabel = new Map<string, Map<string, number>>();
  private bankLabels: string[] = [];
  private bankTypes: string[] = [];
  /** section name → its id, within the report being added */
  private readonly sections = new Map<string, string>();

  constructor(readonly dialect: StagingDialect) {
    this.writer = this.newWriter();
  }

  /** reports added since the last take */
  get size(): number {
    return this.reportIds.length;
  }

  /** the batch holds as many reports as the dialect takes at best in one go */
  get full(): boolean {
    return this.reportIds.length >= BATCH_REPORTS[this.dialect];
  }

  add(r: ReportRecord): void {
    this.writer.report(r);
    this.reportIds.push(r.id);
    this.sections.clear();
    this.addFields(this.reportIds.length - 1, null, null, r.fields);
  }

  take(): StagedRows {
    const { reports, fields } = this.writer.take();
    const rows = {
      dialect: this.dialect, reportIds: this.reportIds, reports, fields,
      fieldReport: Uint32Array.from(this.fieldReport), fieldBank: Uint32Array.from(this.fieldBank),
      bankLabels: this.bankLabels, bankTypes: this.bankTypes,
    } as StagedRows;
    this.clear();
    return rows;
  }

  /** Drops what was added since the last take. */
  clear(): void {
    this.writer = this.newWriter();
    this.reportIds = [];
    this.fieldReport = [];
    this.fieldBank = [];
    this.banks = new Map();
    this.banksByLabel = new Map();
    this.bankLabels = [];
    this.bankTypes = [];
  }

  private newWriter(): RowWriter<unknown> {
    return this.dialect === 'sqlite' ? new SqliteRowWriter() : new PostgresRowWriter();
  }

  private addFields(report: number, parent: string | null, rowIndex: number | null, fields: readonly FieldRecord[]): void {
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      const id = orderedUuid();
      let sectionId: string | null = null;
      if (f.section !== undefined) {
        sectionId = this.sections.get(f.section) ?? null;
        if (sectionId === null) this.sections.set(f.section, (sectionId = orderedUuid()));
      }
      this.writer.field(id, parent, rowIndex, i, f, sectionId);
      this.fieldReport.push(report);
      this.fieldBank.push(this.bankOf(f));
      if (f.rows) for (let k = 0; k < f.rows.length; k++) this.addFields(report, id, k, f.rows[k]);
    }
  }

  /** Labels repeat in nearly every report: they are looked up as written, lower-cased once. */
  private bankOf(f: FieldRecord): number {
    let byType = this.banksByLabel.get(f.label);
    if (byType === undefined) this.banksByLabel.set(f.label, (byType = new Map()));
    let index = byType.get(f.type);
    if (index === undefined) {
      const labelKey = f.label.toLowerCase();
      const key = `${labelKey}\0${f.type}`;
      index = this.banks.get(key);
      if (index === undefined) {
        index = this.bankLabels.length;
        this.banks.set(key, index);
        this.bankLabels.push(labelKey);
        this.bankTypes.push(f.type);
      }
      byType.set(f.type, index);
    }
    return index;
  }
}

/** The buffers a batch can hand to another thread rather than have copied. */
export function transferablesOf(rows: StagedRows): ArrayBuffer[] {
  const out = [rows.fieldReport.buffer, rows.fieldBank.buffer];
  if (rows.dialect === 'postgres') out.push(rows.reports.bytes.buffer, rows.fields.bytes.buffer);
  return out as ArrayBuffer[];
}

/** The rows of `reports` for `dialect`, in one batch. */
export function stagedRowsOf(dialect: StagingDialect, reports: readonly ReportRecord[]): StagedRows {
  const builder = new StagedRowsBuilder(dialect);
  for (const r of reports) builder.add(r);
  return builder.take();
}
