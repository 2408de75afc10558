/** SQL of report field updates and their history, written once for both dialects. */
import { statements, type DialectSql } from '../driver/driver.ts';

const findField = `SELECT rf.id AS pk, rf.field_type AS "fieldType", rf.value, rf.values_json AS "valuesJson" FROM report_fields rf
  JOIN reports r ON r.id = rf.report_pk WHERE rf.field_id = ? AND r.org_id = ? AND r.number IS NOT NULL`;

export function fieldStatements(d: DialectSql) {
  return statements({
    findField,
    // the field's row stays locked until its change is recorded: two updates at once are recorded one after the other
    lockField: `${findField}${d.forUpdate('rf')}`,
    setField: 'UPDATE report_fields SET value = ?, values_json = ? WHERE id = ?',
    recordChange: `INSERT INTO field_changes (field_pk, user_id, changed_at, old_value, old_values_json, new_value, new_values_json)
      VALUES (?, ?, ?, ?, ?, ?, ?)`,
    fieldChanges: `SELECT rf.field_id AS "fieldId", u.user_name AS "userName", c.changed_at AS "changedAt", c.old_value AS "oldValue",
      c.old_values_json AS "oldValuesJson", c.new_value AS "newValue", c.new_values_json AS "newValuesJson"
      FROM field_changes c JOIN report_fields rf ON rf.id = c.field_pk JOIN reports r ON r.id = rf.report_pk JOIN users u ON u.id = c.user_id
      WHERE rf.field_id = ? AND r.org_id = ? ORDER BY c.id`,
  });
}
