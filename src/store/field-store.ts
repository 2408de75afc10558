/** Report field updates and their history, written once over the driver, above the accounts. */
import { all, get, run, type SqlDriver, type Work } from './driver/driver.ts';
import { AccountStore } from './account-store.ts';
import { fieldChangesOf, type FieldChangeRow } from './read-rows.ts';
import { fieldStatements } from './sql/fields.ts';
import type { ImportFieldType } from '../shared/report-record.ts';
import type { FieldAnswer, FieldChange } from './store.ts';

interface StoredField { pk: number; fieldType: ImportFieldType; value: string | null; valuesJson: string | null }

export abstract class FieldStore extends AccountStore {
  private readonly f: ReturnType<typeof fieldStatements>;

  constructor(driver: SqlDriver) {
    super(driver);
    this.f = fieldStatements(driver.sql);
  }

  async findReportField(orgId: number, fieldId: string): Promise<({ fieldType: ImportFieldType } & FieldAnswer) | undefined> {
    const row = await this.driver.perform(() => get<StoredField>(this.f.findField, fieldId, orgId));
    return row && { fieldType: row.fieldType, value: row.value, values: row.valuesJson ? JSON.parse(row.valuesJson) : null };
  }

  async updateReportField(u: { orgId: number; fieldId: string; answer: FieldAnswer; userId: number; now: number }): Promise<boolean> {
    const f = this.f;
    const newValues = u.answer.values ? JSON.stringify(u.answer.values) : null;
    return this.driver.transaction(function* (): Work<boolean> {
      const old = yield* get<StoredField>(f.lockField, u.fieldId, u.orgId);
      if (!old) return false;
      yield* run(f.setField, u.answer.value, newValues, old.pk);
      yield* run(f.recordChange, old.pk, u.userId, u.now, old.value, old.valuesJson, u.answer.value, newValues);
      return true;
    });
  }

  async fieldChanges(orgId: number, fieldId: string): Promise<FieldChange[]> {
    return fieldChangesOf(await this.driver.perform(() => all<FieldChangeRow>(this.f.fieldChanges, fieldId, orgId)));
  }
}
