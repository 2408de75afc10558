/** Rows of the reads as both dialects return them, made into what the Store hands out. */
import type { FieldAnswer, FieldChange, ReportFieldRow } from './store.ts';

/** A CheckList's answers are stored as JSON text. */
export function withValues(rows: Array<ReportFieldRow & { valuesJson?: string | null }>): ReportFieldRow[] {
  for (const r of rows) {
    r.values = r.valuesJson ? (JSON.parse(r.valuesJson) as string[]) : null;
    delete r.valuesJson;
  }
  return rows;
}

export interface FieldChangeRow {
  fieldId: string; userName: string; changedAt: number;
  oldValue: string | null; oldValuesJson: string | null; newValue: string | null; newValuesJson: string | null;
}

export function fieldChangesOf(rows: FieldChangeRow[]): FieldChange[] {
  const answer = (value: string | null, json: string | null): FieldAnswer => ({ value, values: json ? JSON.parse(json) : null });
  return rows.map((r) => ({ fieldId: r.fieldId, userName: r.userName, changedAt: r.changedAt, old: answer(r.oldValue, r.oldValuesJson), new: answer(r.newValue, r.newValuesJson) }));
}
