/**
 * SQL of imports and reports (PostgreSQL). A report is written without a number while its import's
 * file is checked; it exists for reads once a worker has numbered it. Several processes share the
 * work: an import is worked on under a lease, and form counters are taken with row locks.
 */
import { ImportOutcomeCode } from '../../../shared/errors.ts';
import type { SqlSet } from './sql-set.ts';

const number = (seq: string) => `f.number_prefix || '-' || lpad((${seq})::text, greatest(4, length((${seq})::text)), '0')`;

export const importsSql = {
  insertImport: `INSERT INTO imports (import_id, org_id, user_id, filename, status, lease_owner, lease_until, created_at)
    VALUES ($1, $2, $3, $4, 'Receiving', $5, $6, $7) RETURNING id`,
  // ids are taken from the sequence first so that file order is id order and fields can name their report
  reserveReportIds: `SELECT nextval(pg_get_serial_sequence('reports', 'id')) AS id FROM generate_series(1, $1::int)`,
  renewReceiving: `UPDATE imports SET lease_until = $2 WHERE id = $1 AND status = 'Receiving'`,
  renewReceivingMany: `UPDATE imports SET lease_until = $2 WHERE id = ANY($1::bigint[]) AND status = 'Receiving'`,
  lockReceiving: `SELECT id FROM imports WHERE id = $1 AND status = 'Receiving' FOR UPDATE`,
  lockAbandoned: `SELECT id FROM imports WHERE id = $1 AND status = 'Receiving' AND coalesce(lease_until, created_at) < $2 FOR UPDATE`,
  // in a fixed order, so two imports claiming the same ids at once cannot deadlock
  claim: `INSERT INTO report_claims (org_id, report_id, import_pk) SELECT $1, id, $3 FROM unnest($2::text[]) AS id ORDER BY id
    ON CONFLICT DO NOTHING RETURNING report_id AS id`,
  finishAccept: `UPDATE imports SET staged_reports = $1, total_reports = $2, duplicate_reports = $3, status = $4, finished_at = $5,
    lease_owner = NULL, lease_until = NULL WHERE id = $6 AND status = 'Receiving'`,
  // the waiting reports of an import (all, or only those whose id another import claimed first)
  deleteWaitingFields: `DELETE FROM report_fields WHERE report_pk IN (SELECT id FROM reports WHERE import_pk = $1 AND number IS NULL)`,
  deleteWaitingReports: 'DELETE FROM reports WHERE import_pk = $1 AND number IS NULL',
  deleteUnclaimedFields: `DELETE FROM report_fields WHERE report_pk IN (SELECT r.id FROM reports r WHERE r.import_pk = $1 AND r.number IS NULL
    AND NOT EXISTS (SELECT 1 FROM report_claims c WHERE c.org_id = r.org_id AND c.report_id = r.report_id AND c.import_pk = r.import_pk))`,
  deleteUnclaimedReports: `DELETE FROM reports r WHERE r.import_pk = $1 AND r.number IS NULL
    AND NOT EXISTS (SELECT 1 FROM report_claims c WHERE c.org_id = r.org_id AND c.report_id = r.report_id AND c.import_pk = r.import_pk)`,
  deleteReceiving: `DELETE FROM imports WHERE id = $1 AND status = 'Receiving'`,
  // a Receiving import whose process stopped renewing it: that process stopped mid-check
  abandoned: `SELECT id FROM imports WHERE status = 'Receiving' AND coalesce(lease_until, created_at) < $1`,
  finishedWithWaiting: `SELECT DISTINCT r.import_pk AS id FROM reports r JOIN imports i ON i.id = r.import_pk
    WHERE r.number IS NULL AND i.status IN ('Completed', 'Failed')`,
  importByIdAndOrg: `SELECT id, status, total_reports AS total, imported_reports AS imported, error_code AS "errorCode",
    error_message AS "errorMessage", started_at AS "startedAt" FROM imports WHERE import_id = $1 AND org_id = $2 AND status <> 'Receiving'`,
  importedReportsAfter: 'SELECT id, report_id, number FROM reports WHERE import_pk = $1 AND id > $2 AND number IS NOT NULL ORDER BY id',
  // the oldest import with work left that no live process holds; the lease is taken in the same statement
  claimJob: `UPDATE imports SET lease_owner = $1, lease_until = $3 WHERE id = (SELECT id FROM imports
    WHERE status IN ('Queued', 'Importing') AND (lease_until IS NULL OR lease_until < $2 OR lease_owner = $1)
    ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id AS pk, import_id AS "importId", org_id AS "orgId"`,
  lockJob: `SELECT numbered_through AS after, status, lease_owner AS owner, lease_until AS until FROM imports WHERE id = $1 FOR UPDATE`,
  // the next waiting reports of an import, file order being id order
  nextWaiting: `SELECT form_pk AS form, count(*)::int AS n, max(id) AS last FROM
    (SELECT id, form_pk FROM reports WHERE import_pk = $1 AND id > $2 AND number IS NULL ORDER BY id LIMIT $3) w GROUP BY form_pk ORDER BY form_pk`,
  // in id order, so two processes numbering reports of the same forms cannot deadlock
  lockForms: 'SELECT id FROM forms WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE',
  anyWaiting: 'SELECT 1 FROM reports WHERE import_pk = $1 AND number IS NULL AND id > $2 LIMIT 1',
  // numbers continue each form's counter in file order: {prefix}-{seq}, seq zero-padded to at least 4 digits
  numberReports: `UPDATE reports SET seq = f.next_seq + x.n - 1, number = ${number('f.next_seq + x.n - 1')}, created_at = $4
    FROM (SELECT id, form_pk, row_number() OVER (PARTITION BY form_pk ORDER BY id) AS n FROM reports
    WHERE import_pk = $1 AND id > $2 AND id <= $3 AND number IS NULL) x
    JOIN forms f ON f.id = x.form_pk
    WHERE reports.id = x.id`,
  advanceCounters: 'UPDATE forms f SET next_seq = f.next_seq + c.n FROM unnest($1::bigint[], $2::int[]) AS c(id, n) WHERE f.id = c.id',
  // the counts GetReports answers from when it filters by form and status alone
  countReports: `INSERT INTO report_counts (org_id, form_pk, status, n)
    SELECT org_id, form_pk, status, count(*) FROM reports WHERE import_pk = $1 AND id > $2 AND id <= $3 AND number IS NOT NULL
    GROUP BY org_id, form_pk, status
    ON CONFLICT (org_id, form_pk, status) DO UPDATE SET n = report_counts.n + excluded.n`,
  // failures are counted in a row: a batch that goes through starts the count again
  advanceImport: `UPDATE imports SET imported_reports = imported_reports + $2, started_at = coalesce(started_at, $4::bigint),
    numbered_through = greatest(numbered_through, $3), attempts = 0,
    status = CASE WHEN NOT $5 THEN 'Importing' WHEN imported_reports + $2 = total_reports THEN 'Completed' ELSE 'Failed' END,
    error_code = CASE WHEN $5 AND imported_reports + $2 <> total_reports THEN '${ImportOutcomeCode.ImportIncomplete}' END,
    error_message = CASE WHEN $5 AND imported_reports + $2 <> total_reports
    THEN 'Created ' || (imported_reports + $2) || ' of ' || total_reports || ' reports' END,
    finished_at = CASE WHEN $5 THEN $4::bigint END,
    lease_owner = CASE WHEN $5 THEN NULL ELSE $6 END, lease_until = CASE WHEN $5 THEN NULL ELSE $7::bigint END
    WHERE id = $1`,
  attempt: 'UPDATE imports SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts',
  failImport: `UPDATE imports SET status = 'Failed', error_code = $1, error_message = $2, finished_at = $3, lease_owner = NULL, lease_until = NULL
    WHERE id = $4`,
  // ids the failed import never created are free for a later import
  releaseClaims: `DELETE FROM report_claims c WHERE c.import_pk = $1 AND NOT EXISTS
    (SELECT 1 FROM reports r WHERE r.org_id = c.org_id AND r.report_id = c.report_id AND r.number IS NOT NULL)`,
} satisfies SqlSet;
