/**
 * Baseline: the rows of the file inserted with bare better-sqlite3 prepared statements in one
 * transaction, into the service's own schema, with the same kind of field ids. Rows are prepared
 * before the clock starts. Prints JSON.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { orderedUuid } from '../../src/store/ordered-uuid.ts';
import { parseImportFile } from '../../src/import/parse-import-file.ts';
import { defaultImportLimits, type FieldRecord, type ReportRecord } from '../../src/shared/report-record.ts';

const [file, dir] = process.argv.slice(2);
const store = openSqliteStore(join(dir, 'baseline.db'));
const db = store.db;
const org = db.prepare("INSERT INTO organisations (name, created_at) VALUES ('bench', 0)").run().lastInsertRowid;
const forms = new Map<string, { pk: number; name: string; active: boolean }>();
for (const [name, prefix] of [['Occurrence Report', 'OCC'], ['Hazard Report', 'HAZ'], ['Safety Observation', 'OBS']]) {
  const pk = Number(db.prepare('INSERT INTO forms (form_id, form_revision_id, org_id, name, number_prefix, created_at) VALUES (?, ?, ?, ?, ?, 0)')
    .run(randomUUID(), randomUUID(), org, name, prefix).lastInsertRowid);
  forms.set(name.toLowerCase(), { pk, name, active: true });
}
const parsed = await parseImportFile(readFileSync(file), { forms: (n) => forms.get(n.toLowerCase()), limits: { ...defaultImportLimits, maxFileBytes: 1 << 30 } });
if (!parsed.ok) throw new Error('file refused');
const records: ReportRecord[] = parsed.reports.map((r) => JSON.parse(r.json));

const insertReport = db.prepare(`INSERT INTO reports (report_id, org_id, form_pk, seq, number, summary, status, category, owner, raised_by, raised_from,
  closed_by, raised_date, submitted_date, closed_date, is_mandatory, import_pk, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 0)`);
const insertField = db.prepare(`INSERT INTO report_fields (field_id, report_pk, parent_field_id, row_index, position, label, field_type, section_name, value, values_json)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
const insertFields = (reportPk: number | bigint, parent: string | null, row: number | null, fields: FieldRecord[]) => {
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    const id = orderedUuid();
    insertField.run(id, reportPk, parent, row, i, f.label, f.type, f.section ?? null, f.value ?? null, f.values ? JSON.stringify(f.values) : null);
    if (f.rows) f.rows.forEach((r, ri) => insertFields(reportPk, id, ri, r));
  }
};
const seq = new Map<number, number>();
const t0 = performance.now();
db.transaction(() => {
  for (const r of records) {
    const n = (seq.get(r.form) ?? 0) + 1;
    seq.set(r.form, n);
    const pk = insertReport.run(r.id, org, r.form, n, `X-${n}`, r.summary, r.status, r.category ?? null, r.owner ?? null, r.raisedBy, r.raisedFrom ?? null,
      r.closedBy ?? null, r.raised, r.submitted ?? null, r.closed ?? null, r.mandatory ? 1 : 0).lastInsertRowid;
    insertFields(pk, null, null, r.fields);
  }
})();
const ms = performance.now() - t0;
const rows = db.prepare('SELECT (SELECT count(*) FROM reports) + (SELECT count(*) FROM report_fields) AS n').pluck().get();
await store.close();
process.stdout.write(JSON.stringify({ ms, reports: records.length, rows }) + '\n');
