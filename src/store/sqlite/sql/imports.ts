/**
 * SQL of imports and reports (SQLite). A report is written without a number while its import's
 * file is checked; it exists for reads once the worker has numbered it.
 */
import { ImportOutcomeCode } from '../../../shared/errors.ts';
import type { SqlSet } from './sql-set.ts';

export const importsSql = {
  insertImport: `INSERT INTO imports (import_id, org_id, user_id, filename, status, created_at) VALUES (?, ?, ?, ?, 'Receiving', ?)`,
  claim: 'INSERT INTO report_claims (org_id, report_id, import_pk) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  // parameters: see ../staged-rows.ts
  stageReport: `INSERT INTO reports (report_id, org_id, form_pk, summary, status, category, owner, raised_by, raised_from, closed_by,
    raised_date, submitted_date, closed_date, is_mandatory, import_pk) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  // parameters: see ../staged-rows.ts
  stageField: `INSERT INTO report_fields (report_pk, bank_pk, field_id, parent_field_id, row_index, position, label, field_type,
    section_name, section_id, value, values_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  finishAccept: `UPDATE imports SET staged_reports = ?, total_reports = ?, duplicate_reports = ?, status = ?, finished_at = ?
    WHERE id = ? AND status = 'Receiving'`,
  // the waiting reports of an import (all, or only those whose id another import claimed first)
  deleteWaitingFields: `DELETE FROM report_fields WHERE report_pk IN
    (SELECT id FROM reports WHERE import_pk = ? AND number IS NULL)`,
  deleteWaitingReports: 'DELETE FROM reports WHERE import_pk = ? AND number IS NULL',
  deleteUnclaimedFields: `DELETE FROM report_fields WHERE report_pk IN (SELECT r.id FROM reports r WHERE r.import_pk = @import AND r.number IS NULL
    AND NOT EXISTS (SELECT 1 FROM report_claims c WHERE c.org_id = r.org_id AND c.report_id = r.report_id AND c.import_pk = r.import_pk))`,
  deleteUnclaimedReports: `DELETE FROM reports WHERE import_pk = @import AND number IS NULL
    AND NOT EXISTS (SELECT 1 FROM report_claims c WHERE c.org_id = reports.org_id AND c.report_id = reports.report_id
    AND c.import_pk = reports.import_pk)`,
  isReceiving: { sql: `SELECT 1 FROM imports WHERE id = ? AND status = 'Receiving'`, pluck: true },
  deleteReceiving: `DELETE FROM imports WHERE id = ? AND status = 'Receiving'`,
  abandoned: { sql: `SELECT id FROM imports WHERE status = 'Receiving' AND created_at < ?`, pluck: true },
  finishedWithWaiting: { sql: `SELECT DISTINCT r.import_pk FROM reports r JOIN imports i ON i.id = r.import_pk
    WHERE r.number IS NULL AND i.status IN ('Completed', 'Failed')`, pluck: true },
  importByIdAndOrg: `SELECT id, status, total_reports AS total, imported_reports AS imported, error_code AS errorCode,
    error_message AS errorMessage, started_at AS startedAt FROM imports WHERE import_id = ? AND org_id = ? AND status <> 'Receiving'`,
  importedReportsAfter: { sql: 'SELECT id, report_id, number FROM reports WHERE import_pk = ? AND id > ? AND number IS NOT NULL ORDER BY id', raw: true },
  nextJob: `SELECT id AS pk, import_id AS importId, org_id AS orgId FROM imports
    WHERE status IN ('Queued', 'Importing') ORDER BY id LIMIT 1`,
  // the next waiting reports of an import, file order being id order
  jobState: 'SELECT numbered_through AS after, status FROM imports WHERE id = ?',
  nextWaiting: `SELECT form_pk AS form, count(*) AS n, max(id) AS last FROM
    (SELECT id, form_pk FROM reports WHERE import_pk = ? AND id > ? AND number IS NULL ORDER BY id LIMIT ?) GROUP BY form_pk`,
  anyWaiting: { sql: 'SELECT 1 FROM reports WHERE import_pk = ? AND number IS NULL AND id > ? LIMIT 1', pluck: true },
  // numbers continue each form's counter in file order: {prefix}-{seq}, seq zero-padded to at least 4 digits
  numberReports: `UPDATE reports SET seq = f.next_seq + x.n - 1, number = f.number_prefix || '-' || printf('%04d', f.next_seq + x.n - 1),
    created_at = @now
    FROM (SELECT id, form_pk, row_number() OVER (PARTITION BY form_pk ORDER BY id) AS n FROM reports
    WHERE import_pk = @import AND id > @after AND id <= @last AND number IS NULL) x
    JOIN forms f ON f.id = x.form_pk
    WHERE reports.id = x.id`,
  advanceCounter: 'UPDATE forms SET next_seq = next_seq + ? WHERE id = ?',
  // the counts GetReports answers from when it filters by form and status alone
  countReports: `INSERT INTO report_counts (org_id, form_pk, status, n)
    SELECT org_id, form_pk, status, count(*) FROM reports WHERE import_pk = @import AND id > @after AND id <= @last AND number IS NOT NULL
    GROUP BY org_id, form_pk, status
    ON CONFLICT (org_id, form_pk, status) DO UPDATE SET n = n + excluded.n`,
  advanceImport: `UPDATE imports SET imported_reports = imported_reports + @created, started_at = coalesce(started_at, @now),
    numbered_through = max(numbered_through, @last),
    status = CASE WHEN NOT @done THEN 'Importing'
    WHEN imported_reports + @created = total_reports THEN 'Completed' ELSE 'Failed' END,
    error_code = CASE WHEN @done AND imported_reports + @created <> total_reports THEN '${ImportOutcomeCode.ImportIncomplete}' END,
    error_message = CASE WHEN @done AND imported_reports + @created <> total_reports
    THEN 'Created ' || CAST(imported_reports + @created AS INTEGER) || ' of ' || total_reports || ' reports' END,
    finished_at = CASE WHEN @done THEN @now ELSE NULL END WHERE id = @import`,
  attempt: { sql: 'UPDATE imports SET attempts = attempts + 1 WHERE id = ? RETURNING attempts', pluck: true },
  failImport: `UPDATE imports SET status = 'Failed', error_code = ?, error_message = ?, finished_at = ? WHERE id = ?`,
  // ids the failed import never created are free for a later import
  releaseClaims: `DELETE FROM report_claims WHERE import_pk = @import AND NOT EXISTS
    (SELECT 1 FROM reports r WHERE r.org_id = report_claims.org_id AND r.report_id = report_claims.report_id AND r.number IS NOT NULL)`,
  resetAttempts: 'UPDATE imports SET attempts = 0 WHERE id = ? AND attempts > 0',
} satisfies SqlSet;
