/** SQL of the field bank (PostgreSQL); the paged queries are built in ../../queries/. */
import type { SqlSet } from './sql-set.ts';

export const readsSql = {
  // an id per label and type, whichever process asks first; the others read it
  insertBankFields: `INSERT INTO field_bank (org_id, label_key, field_type, bank_field_id)
    SELECT $1, k.label_key, k.field_type, k.id FROM unnest($2::text[], $3::text[], $4::text[]) AS k(label_key, field_type, id)
    ON CONFLICT DO NOTHING`,
  bankPks: `SELECT b.label_key AS "labelKey", b.field_type AS "fieldType", b.id FROM field_bank b
    JOIN unnest($2::text[], $3::text[]) AS k(label_key, field_type) ON b.label_key = k.label_key AND b.field_type = k.field_type
    WHERE b.org_id = $1`,
} satisfies SqlSet;
