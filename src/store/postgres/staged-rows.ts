/**
 * The staged rows PostgreSQL takes: COPY text (copy-text.ts) in UTF-8, ready to send as it is once
 * the store has written the keys it alone knows into the blank slots each line starts with: a
 * report's key, organisation and import; a field's report key and bank key (postgres-store.ts,
 * `copyReports` and `copyFields`, list the columns in that order).
 *
 * A slot is KEY_WIDTH spaces and the key is written over its start: integer input ignores the
 * spaces around a number (as SQL's cast from a string does). So a batch is never copied or
 * re-encoded on its way to the server, and its bytes move between threads without a copy.
 */
import type { FieldRecord, ReportRecord } from '../../shared/report-record.ts';
import type { RowWriter } from '../staged-rows.ts';
import { copyText } from './copy-text.ts';

/** Line i is `bytes` from `ends[i - 1]` (0 for the first) to `ends[i]`, its newline included. */
export interface CopyColumns { bytes: Uint8Array; ends: Uint32Array }

/** wide enough for any safe integer */
export const KEY_WIDTH = 16;
const SLOT = ' '.repeat(KEY_WIDTH) + '\t';
/** id, org_id, import_pk */
const reportSlots = SLOT.repeat(3);
/** report_pk, bank_pk */
const fieldSlots = SLOT.repeat(2);

const optional = (v: number | undefined): string => (v === undefined ? '\\N' : String(v));

/** Lines written as UTF-8 one after another into a buffer that grows as needed. */
class Lines {
  private bytes = Buffer.allocUnsafeSlow(1 << 16);
  private length = 0;
  private readonly ends: number[] = [];

  push(line: string): void {
    // a UTF-16 unit takes at most 3 bytes (a surrogate pair 4 for its 2)
    if (this.bytes.length - this.length < line.length * 3) {
      const grown = Buffer.allocUnsafeSlow(Math.max(this.bytes.length * 2, this.length + line.length * 3));
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
    this.length += this.bytes.write(line, this.length);
    this.ends.push(this.length);
  }

  take(): CopyColumns {
    return { bytes: new Uint8Array(this.bytes.buffer, this.bytes.byteOffset, this.length), ends: Uint32Array.from(this.ends) };
  }
}

export class PostgresRowWriter implements RowWriter<CopyColumns> {
  private readonly reports = new Lines();
  private readonly fields = new Lines();

  /** report_id, form_pk, summary, status, category, owner, raised_by, raised_from, closed_by, raised_date, submitted_date, closed_date, is_mandatory */
  report(r: ReportRecord): void {
    this.reports.push(`${reportSlots}${r.id}\t${r.form}\t${copyText(r.summary)}\t${r.status}\t${copyText(r.category)}\t` +
      `${copyText(r.owner)}\t${copyText(r.raisedBy)}\t${copyText(r.raisedFrom)}\t${copyText(r.closedBy)}\t${r.raised}\t` +
      `${optional(r.submitted)}\t${optional(r.closed)}\t${r.mandatory}\n`);
  }

  /** field_id, parent_field_id, row_index, position, label, field_type, section_name, section_id, value, values_json */
  field(fieldId: string, parent: string | null, rowIndex: number | null, position: number, f: FieldRecord, sectionId: string | null): void {
    this.fields.push(`${fieldSlots}${fieldId}\t${parent ?? '\\N'}\t${rowIndex ?? '\\N'}\t${position}\t${copyText(f.label)}\t` +
      `${f.type}\t${copyText(f.section)}\t${sectionId ?? '\\N'}\t${copyText(f.value)}\t` +
      `${f.values ? copyText(JSON.stringify(f.values)) : '\\N'}\n`);
  }

  take(): { reports: CopyColumns; fields: CopyColumns } {
    return { reports: this.reports.take(), fields: this.fields.take() };
  }
}

/** Writes the decimal digits of `key` (an integer, or its digits) over the slot at `at`. */
export function fillSlot(bytes: Uint8Array, at: number, key: string): void {
  if (key.length > KEY_WIDTH) throw new RangeError(`key ${key} does not fit a staged row's slot`);
  for (let k = 0; k < key.length; k++) bytes[at + k] = key.charCodeAt(k);
}
