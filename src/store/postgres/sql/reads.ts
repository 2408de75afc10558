/** SQL of the reads and of field updates (PostgreSQL); the paged queries are built in ../../queries/. */
import type { SqlSet } from './sql-set.ts';

const findField = `SELECT rf.id AS pk, rf.field_type AS "fieldType", rf.value, rf.values_json AS "valuesJson" FROM report_fields rf
    JOIN reports r ON r.id = rf.report_pk WHERE rf.field_id = $1 AND r.org_id = $2 AND r.number IS NOT NULL`;

export const readsSql = {
  findField,
  // the field's row stays locked until its change is recorded: two updates at once are recorded one after the other
  lockField: `${findField} FOR UPDATE OF rf`,
  setField: 'UPDATE report_fields SET value = $1, values_json = $2 WHERE id = $3',
  recordChange: `INSERT INTO field_changes (field_pk, user_id, changed_at, old_value, old_values_json, new_value, new_values_json)
    VALUES ($1, $2, $3, $4, $5, $6, $7)`,
  fieldChanges: `SELECT rf.field_id AS "fieldId", u.user_name AS "userName", c.changed_at AS "changedAt", c.old_value AS "oldValue",
    c.old_values_json AS "oldValuesJson", c.new_value AS "newValue", c.new_values_json AS "newValuesJson"
    FROM field_changes c JOIN report_fields rf ON rf.id = c.field_pk JOIN reports r ON r.id = rf.report_pk JOIN users u ON u.id = c.user_id
    WHERE rf.field_id = $1 AND r.org_id = $2 ORDER BY c.id`,
  // an id per label and type, whichever process asks first; the others read it
  insertBankFields: `INSERT INTO field_bank (org_id, label_key, field_type, bank_field_id)
    SELECT $1, k.label_key, k.field_type, k.id FROM unnest($2::text[], $3::text[], $4::text[]) AS k(label_key, field_type, id)
    ON CONFLICT DO NOTHING`,
  bankPks: `SELECT b.label_key AS "labelKey", b.field_type AS "fieldType", b.id FROM field_bank b
    JOIN unnest($2::text[], $3::text[]) AS k(label_key, field_type) ON b.label_key = k.label_key AND b.field_type = k.field_type
    WHERE b.org_id = $1`,
} satisfies SqlSet;
