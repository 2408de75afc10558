/** SQL of the field bank (SQLite); the paged queries are built in ../../queries/. */
import type { SqlSet } from './sql-set.ts';

export const readsSql = {
  bankPk: { sql: 'SELECT id FROM field_bank WHERE org_id = ? AND label_key = ? AND field_type = ?', pluck: true },
  insertBankField: 'INSERT INTO field_bank (org_id, label_key, field_type, bank_field_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
} satisfies SqlSet;
