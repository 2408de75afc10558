/** Field changes as both dialects return them, made into what the Store hands out. */
import type { FieldAnswer, FieldChange } from './store.ts';

export interface FieldChangeRow {
  fieldId: string; userName: string; changedAt: number;
  oldValue: string | null; oldValuesJson: string | null; newValue: string | null; newValuesJson: string | null;
}

export function fieldChangesOf(rows: FieldChangeRow[]): FieldChange[] {
  const answer = (value: string | null, json: string | null): FieldAnswer => ({ value, values: json ? JSON.parse(json) : null });
  return rows.map((r) => ({ fieldId: r.fieldId, userName: r.userName, changedAt: r.changedAt, old: answer(r.oldValue, r.oldValuesJson), new: answer(r.newValue, r.newValuesJson) }));
}
