/**
 * Baseline: the rows of the file written with a bare COPY FROM STDIN (pg-copy-streams) in one
 * transaction, into the service's own schema on a fresh database, numbers and ids assigned by the
 * script. Rows are prepared before the clock starts. Prints JSON.
 *
 *   node --import tsx bench/baselines/postgres-copy.ts <file> <database url>
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { copyLine } from '../../src/store/postgres/copy-text.ts';
import { copyLines } from '../../src/store/postgres/copy-stream.ts';
import { orderedUuid } from '../../src/store/ordered-uuid.ts';
import { parseImportFile } from '../../src/import/parse-import-file.ts';
import { defaultImportLimits, type FieldRecord, type ReportRecord } from '../../src/shared/report-record.ts';

const [file, url] = process.argv.slice(2);
const store = await openPostgresStore(url);
const org = await store.createOrganisation('bench', 0);
const forms = new Map<string, { pk: number; name: string; active: boolean }>();
for (const [name, prefix] of [['Occurrence Report', 'OCC'], ['Hazard Report', 'HAZ'], ['Safety Observation', 'OBS']]) {
  const f = await store.createForm({ orgId: org.id, name, numberPrefix: prefix, now: 0 });
  forms.set(name.toLowerCase(), { pk: f.pk, name, active: true });
}
const parsed = await parseImportFile(readFileSync(file), { forms: (n) => forms.get(n.toLowerCase()), limits: { ...defaultImportLimits, maxFileBytes: 1 << 30 } });
if (!parsed.ok) throw new Error('file refused');
const records: ReportRecord[] = parsed.reports.map((r) => JSON.parse(r.json));

const reportLines: string[] = [];
const fieldLines: string[] = [];
const addFields = (reportPk: number, parent: string | null, row: number | null, fields: FieldRecord[]) => {
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    const id = orderedUuid();
    fieldLines.push(copyLine([id, reportPk, parent, row, i, f.label, f.type, f.section, f.value, f.values ? JSON.stringify(f.values) : null]));
    if (f.rows) f.rows.forEach((r, ri) => addFields(reportPk, id, ri, r));
  }
};
const seq = new Map<number, number>();
records.forEach((r, i) => {
  const pk = i + 1;
  const n = (seq.get(r.form) ?? 0) + 1;
  seq.set(r.form, n);
  reportLines.push(copyLine([pk, r.id, org.id, r.form, n, `X-${n}`, r.summary, r.status, r.category, r.owner, r.raisedBy, r.raisedFrom,
    r.closedBy, r.raised, r.submitted, r.closed, r.mandatory, 0]));
  addFields(pk, null, null, r.fields);
});

const client = await store.pool.connect();
const t0 = performance.now();
await client.query('BEGIN');
await copyLines(client, `COPY reports (id, report_id, org_id, form_pk, seq, number, summary, status, category,
  owner, raised_by, raised_from, closed_by, raised_date, submitted_date, closed_date, is_mandatory, created_at) FROM STDIN`, reportLines);
await copyLines(client, `COPY report_fields (field_id, report_pk, parent_field_id, row_index, position, label,
  field_type, section_name, value, values_json) FROM STDIN`, fieldLines);
await client.query('COMMIT');
const ms = performance.now() - t0;
const rows = (await client.query('SELECT (SELECT count(*) FROM reports) + (SELECT count(*) FROM report_fields) AS n')).rows[0].n;
client.release();
await store.close();
process.stdout.write(JSON.stringify({ ms, reports: records.length, rows }) + '\n');
