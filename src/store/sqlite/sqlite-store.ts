import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FieldRecord, ReportRecord } from '../../import/report-record.ts';
import {
  formatReportNumber,
  type AcceptImportInput, type AcceptImportResult, type ApiKeyLookup, type AuthAttemptPolicy, type ApiKeyRow, type AuthUser,
  type FormRow, type ImportJob, type ImportStatus, type ImportStatusRow, type Organisation, type Store, type UserWithSecret,
} from '../store.ts';
import { sqliteMigrations } from './migrations.ts';
import { orderedUuid } from '../ordered-uuid.ts';
import { ImportedReportsCache } from '../imported-reports-cache.ts';

const userColumns = `u.id AS userId, u.user_name AS userName, u.display_name AS displayName, u.org_id AS orgId, o.name AS orgName`;
const formColumns = `id AS pk, form_id AS formId, form_revision_id AS formRevisionId, org_id AS orgId, name,
  number_prefix AS numberPrefix, owner, revision, status`;

export function openSqliteStore(file: string): SqliteStore {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // bulk imports touch many index pages per batch: keep them cached, and checkpoint the WAL in
  // larger steps rather than after every batch
  db.pragma('cache_size = -8192');
  db.pragma('wal_autocheckpoint = 16384');
  migrate(db);
  return new SqliteStore(db);
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  // BEGIN IMMEDIATE takes the write lock first, so two processes starting together apply each step once
  const apply = db.transaction(() => {
    const done = new Set(db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
    for (const m of sqliteMigrations) {
      if (done.has(m.version)) continue;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
    }
  });
  apply.immediate();
}

export class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const;
  private readonly s;
  private readonly imported = new ImportedReportsCache();

  constructor(readonly db: Database.Database) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      insertOrg: p('INSERT INTO organisations (name, created_at) VALUES (?, ?)'),
      findOrg: p('SELECT id, name FROM organisations WHERE name = ?'),
      listOrgs: p('SELECT id, name FROM organisations ORDER BY id'),
      insertUser: p('INSERT INTO users (org_id, user_name, display_name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)'),
      userById: p(`SELECT ${userColumns} FROM users u JOIN organisations o ON o.id = u.org_id WHERE u.id = ?`),
      findUser: p(`SELECT ${userColumns}, u.password_hash AS passwordHash, u.disabled FROM users u JOIN organisations o ON o.id = u.org_id WHERE u.user_name = ?`),
      setPassword: p('UPDATE users SET password_hash = ? WHERE id = ?'),
      setDisabled: p('UPDATE users SET disabled = ? WHERE id = ?'),
      listUsers: p(`SELECT ${userColumns}, u.disabled FROM users u JOIN organisations o ON o.id = u.org_id WHERE (? IS NULL OR u.org_id = ?) ORDER BY u.id`),
      countUsers: p('SELECT count(*) FROM users').pluck(),
      insertKey: p('INSERT INTO api_keys (user_id, key_hash, label, created_at) VALUES (?, ?, ?, ?)'),
      findKey: p(`SELECT ${userColumns}, k.revoked_at AS revokedAt, u.disabled FROM api_keys k JOIN users u ON u.id = k.user_id
                  JOIN organisations o ON o.id = u.org_id WHERE k.key_hash = ?`),
      revokeKey: p('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      listKeys: p(`SELECT k.id, k.user_id AS userId, u.user_name AS userName, k.label, k.created_at AS createdAt, k.revoked_at AS revokedAt
                   FROM api_keys k JOIN users u ON u.id = k.user_id WHERE (? IS NULL OR u.org_id = ?) ORDER BY k.id`),
      insertSession: p('INSERT INTO sessions (id_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)'),
      findSession: p(`SELECT ${userColumns} FROM sessions s JOIN users u ON u.id = s.user_id JOIN organisations o ON o.id = u.org_id
                      WHERE s.id_hash = ? AND s.expires_at > ? AND u.disabled = 0`),
      deleteSession: p('DELETE FROM sessions WHERE id_hash = ?'),
      purgeSessions: p('DELETE FROM sessions WHERE expires_at <= ?'),
      getFailure: p('SELECT failures, first_at AS firstAt, blocked_until AS blockedUntil FROM auth_failures WHERE key = ?'),
      putFailure: p(`INSERT INTO auth_failures (key, failures, first_at, blocked_until) VALUES (?, ?, ?, ?)
                     ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, first_at = excluded.first_at, blocked_until = excluded.blocked_until`),
      clearFailure: p('DELETE FROM auth_failures WHERE key = ?'),
      refundFailure: p(`UPDATE auth_failures SET failures = max(failures - 1, 0),
                         blocked_until = CASE WHEN failures - 1 < ? THEN NULL ELSE blocked_until END WHERE key = ?`),
      purgeFailures: p('DELETE FROM auth_failures WHERE first_at < ? AND (blocked_until IS NULL OR blocked_until < ?)'),
      insertForm: p(`INSERT INTO forms (form_id, form_revision_id, org_id, name, number_prefix, owner, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
      formByPk: p(`SELECT ${formColumns} FROM forms WHERE id = ?`),
      listForms: p(`SELECT ${formColumns} FROM forms WHERE org_id = ? ORDER BY id`),
      setFormStatus: p('UPDATE forms SET status = ? WHERE id = ?'),
      insertImport: p(`INSERT INTO imports (import_id, org_id, user_id, filename, status, created_at) VALUES (?, ?, ?, ?, 'Receiving', ?)`),
      claim: p('INSERT INTO report_claims (org_id, report_id, import_pk) VALUES (?, ?, ?) ON CONFLICT DO NOTHING'),
      stageReport: p(`INSERT INTO reports (report_id, org_id, form_pk, summary, status, category, owner, raised_by, raised_from, closed_by,
                      raised_date, submitted_date, closed_date, is_mandatory, import_pk) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      stageField: p(`INSERT INTO report_fields (field_id, report_pk, parent_field_id, row_index, position, label, field_type, section_name, value, values_json)
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      finishAccept: p(`UPDATE imports SET staged_reports = ?, total_reports = ?, duplicate_reports = ?, status = ?, finished_at = ?
                       WHERE id = ? AND status = 'Receiving'`),
      // the waiting reports of an import (all, or only those whose id another import claimed first)
      deleteWaitingFields: p(`DELETE FROM report_fields WHERE report_pk IN
                              (SELECT id FROM reports WHERE import_pk = ? AND number IS NULL)`),
      deleteWaitingReports: p('DELETE FROM reports WHERE import_pk = ? AND number IS NULL'),
      deleteUnclaimedFields: p(`DELETE FROM report_fields WHERE report_pk IN (SELECT r.id FROM reports r WHERE r.import_pk = @import AND r.number IS NULL
                                AND NOT EXISTS (SELECT 1 FROM report_claims c WHERE c.org_id = r.org_id AND c.report_id = r.report_id AND c.import_pk = r.import_pk))`),
      deleteUnclaimedReports: p(`DELETE FROM reports WHERE import_pk = @import AND number IS NULL
                                 AND NOT EXISTS (SELECT 1 FROM report_claims c WHERE c.org_id = reports.org_id AND c.report_id = reports.report_id
                                   AND c.import_pk = reports.import_pk)`),
      deleteReceiving: p(`DELETE FROM imports WHERE id = ? AND status = 'Receiving'`),
      abandoned: p(`SELECT id FROM imports WHERE status = 'Receiving' AND created_at < ?`).pluck(),
      finishedWithWaiting: p(`SELECT DISTINCT r.import_pk FROM reports r JOIN imports i ON i.id = r.import_pk
                              WHERE r.number IS NULL AND i.status IN ('Completed', 'Failed')`).pluck(),
      importByIdAndOrg: p(`SELECT id, status, total_reports AS total, imported_reports AS imported, error_code AS errorCode,
                           error_message AS errorMessage FROM imports WHERE import_id = ? AND org_id = ? AND status <> 'Receiving'`),
      importedReportsAfter: p('SELECT id, report_id, number FROM reports WHERE import_pk = ? AND id > ? AND number IS NOT NULL ORDER BY id').raw(),
      nextJob: p(`SELECT id AS pk, import_id AS importId, org_id AS orgId, attempts FROM imports
                  WHERE status IN ('Queued', 'Importing') ORDER BY id LIMIT 1`),
      // the next waiting reports of an import, file order being id order
      cursor: p('SELECT numbered_through FROM imports WHERE id = ?').pluck(),
      nextWaiting: p(`SELECT form_pk AS form, count(*) AS n, max(id) AS last FROM
                      (SELECT id, form_pk FROM reports WHERE import_pk = ? AND id > ? AND number IS NULL ORDER BY id LIMIT ?) GROUP BY form_pk`),
      anyWaiting: p('SELECT 1 FROM reports WHERE import_pk = ? AND number IS NULL AND id > ? LIMIT 1').pluck(),
      // numbers continue each form's counter in file order
      numberReports: p(`UPDATE reports SET seq = f.next_seq + x.n - 1, number = f.number_prefix || '-' || printf('%04d', f.next_seq + x.n - 1),
                          created_at = @now
                        FROM (SELECT id, form_pk, row_number() OVER (PARTITION BY form_pk ORDER BY id) AS n FROM reports
                              WHERE import_pk = @import AND id > @after AND id <= @last AND number IS NULL) x
                        JOIN forms f ON f.id = x.form_pk
                        WHERE reports.id = x.id`),
      advanceCounter: p('UPDATE forms SET next_seq = next_seq + ? WHERE id = ?'),
      advanceImport: p(`UPDATE imports SET imported_reports = imported_reports + @created, started_at = coalesce(started_at, @now),
                        numbered_through = max(numbered_through, @last),
                        status = CASE WHEN NOT @done THEN 'Importing'
                                      WHEN imported_reports + @created = total_reports THEN 'Completed' ELSE 'Failed' END,
                        error_code = CASE WHEN @done AND imported_reports + @created <> total_reports THEN 'ImportIncomplete' END,
                        error_message = CASE WHEN @done AND imported_reports + @created <> total_reports
                          THEN 'Created ' || (imported_reports + @created) || ' of ' || total_reports || ' reports' END,
                        finished_at = CASE WHEN @done THEN @now ELSE NULL END WHERE id = @import`),
      attempt: p('UPDATE imports SET attempts = attempts + 1 WHERE id = ? RETURNING attempts').pluck(),
      failImport: p(`UPDATE imports SET status = 'Failed', error_code = ?, error_message = ?, finished_at = ? WHERE id = ?`),
      // ids the failed import never created are free for a later import
      releaseClaims: p(`DELETE FROM report_claims WHERE import_pk = @import AND NOT EXISTS
                        (SELECT 1 FROM reports r WHERE r.org_id = report_claims.org_id AND r.report_id = report_claims.report_id AND r.number IS NOT NULL)`),
      resetAttempts: p('UPDATE imports SET attempts = 0 WHERE id = ? AND attempts > 0'),
    };
  }

  async close(): Promise<void> {
    this.db.close();
  }

  async createOrganisation(name: string, now: number): Promise<Organisation> {
    const id = Number(this.s.insertOrg.run(name, now).lastInsertRowid);
    return { id, name };
  }
  async findOrganisation(name: string): Promise<Organisation | undefined> {
    return this.s.findOrg.get(name) as Organisation | undefined;
  }
  async listOrganisations(): Promise<Organisation[]> {
    return this.s.listOrgs.all() as Organisation[];
  }

  async createUser(u: { orgId: number; userName: string; displayName?: string | null; passwordHash: string | null; now: number }): Promise<AuthUser> {
    const id = this.s.insertUser.run(u.orgId, u.userName, u.displayName ?? null, u.passwordHash, u.now).lastInsertRowid;
    return this.s.userById.get(id) as AuthUser;
  }
  async findUser(userName: string): Promise<UserWithSecret | undefined> {
    const row = this.s.findUser.get(userName) as (Omit<UserWithSecret, 'disabled'> & { disabled: number }) | undefined;
    return row && { ...row, disabled: !!row.disabled };
  }
  async setPassword(userId: number, passwordHash: string): Promise<void> {
    this.s.setPassword.run(passwordHash, userId);
  }
  async setUserDisabled(userId: number, disabled: boolean): Promise<void> {
    this.s.setDisabled.run(disabled ? 1 : 0, userId);
  }
  async listUsers(orgId?: number): Promise<Array<AuthUser & { disabled: boolean }>> {
    const rows = this.s.listUsers.all(orgId ?? null, orgId ?? null) as Array<AuthUser & { disabled: number }>;
    return rows.map((r) => ({ ...r, disabled: !!r.disabled }));
  }
  async countUsers(): Promise<number> {
    return this.s.countUsers.get() as number;
  }

  async createApiKey(k: { userId: number; keyHash: string; label?: string | null; now: number }): Promise<number> {
    return Number(this.s.insertKey.run(k.userId, k.keyHash, k.label ?? null, k.now).lastInsertRowid);
  }
  async findApiKey(keyHash: string): Promise<ApiKeyLookup> {
    const row = this.s.findKey.get(keyHash) as (AuthUser & { revokedAt: number | null; disabled: number }) | undefined;
    if (!row) return undefined;
    const { revokedAt, disabled, ...user } = row;
    return { user, revoked: revokedAt !== null || !!disabled };
  }
  async revokeApiKey(id: number, now: number): Promise<boolean> {
    return this.s.revokeKey.run(now, id).changes > 0;
  }
  async listApiKeys(orgId?: number): Promise<ApiKeyRow[]> {
    return this.s.listKeys.all(orgId ?? null, orgId ?? null) as ApiKeyRow[];
  }

  async createSession(x: { idHash: string; userId: number; expiresAt: number; now: number }): Promise<void> {
    this.s.purgeSessions.run(x.now);
    this.s.insertSession.run(x.idHash, x.userId, x.now, x.expiresAt);
  }
  async findSession(idHash: string, now: number): Promise<AuthUser | undefined> {
    return this.s.findSession.get(idHash, now) as AuthUser | undefined;
  }
  async deleteSession(idHash: string): Promise<void> {
    this.s.deleteSession.run(idHash);
  }

  async beginAuthAttempt(key: string, now: number, policy: AuthAttemptPolicy): Promise<{ allowed: true } | { allowed: false; retryAfterMs: number }> {
    const tx = this.db.transaction((): { allowed: true } | { allowed: false; retryAfterMs: number } => {
      const prev = this.s.getFailure.get(key) as { failures: number; firstAt: number; blockedUntil: number | null } | undefined;
      if (prev?.blockedUntil && prev.blockedUntil > now) return { allowed: false, retryAfterMs: prev.blockedUntil - now };
      const fresh = !prev || now - prev.firstAt > policy.windowMs;
      if (fresh && Math.random() < 0.01) this.s.purgeFailures.run(now - policy.windowMs, now);
      const failures = fresh ? 1 : prev.failures + 1;
      this.s.putFailure.run(key, failures, fresh ? now : prev.firstAt, blockUntil(failures, now, policy));
      return { allowed: true };
    });
    return tx.immediate();
  }
  async refundAuthAttempt(key: string, forget: boolean, threshold: number): Promise<void> {
    if (forget) this.s.clearFailure.run(key);
    else this.s.refundFailure.run(threshold, key);
  }

  async createForm(f: { orgId: number; name: string; numberPrefix: string; owner?: string | null; now: number }): Promise<FormRow> {
    const pk = this.s.insertForm.run(randomUUID(), randomUUID(), f.orgId, f.name, f.numberPrefix, f.owner ?? null, f.now).lastInsertRowid;
    return this.s.formByPk.get(pk) as FormRow;
  }
  async listForms(orgId: number): Promise<FormRow[]> {
    return this.s.listForms.all(orgId) as FormRow[];
  }
  async setFormStatus(formPk: number, status: FormRow['status']): Promise<void> {
    this.s.setFormStatus.run(status, formPk);
  }

  async beginImport(i: { orgId: number; userId: number; importId: string; filename: string; now: number }): Promise<number> {
    return Number(this.s.insertImport.run(i.importId, i.orgId, i.userId, i.filename, i.now).lastInsertRowid);
  }

  async stageReports(importPk: number, orgId: number, reports: readonly ReportRecord[]): Promise<void> {
    const { stageReport, stageField } = this.s;
    const stageFields = (reportPk: number | bigint, parent: string | null, rowIndex: number | null, fields: FieldRecord[]) => {
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i];
        const fieldId = orderedUuid();
        stageField.run(fieldId, reportPk, parent, rowIndex, i, f.label, f.type, f.section ?? null, f.value ?? null,
          f.values ? JSON.stringify(f.values) : null);
        if (f.rows) for (let r = 0; r < f.rows.length; r++) stageFields(reportPk, fieldId, r, f.rows[r]);
      }
    };
    this.db.transaction(() => {
      for (const r of reports) {
        const reportPk = stageReport.run(r.id, orgId, r.form, r.summary, r.status, r.category ?? null, r.owner ?? null, r.raisedBy,
          r.raisedFrom ?? null, r.closedBy ?? null, r.raised, r.submitted ?? null, r.closed ?? null, r.mandatory ? 1 : 0, importPk).lastInsertRowid;
        stageFields(reportPk, null, null, r.fields);
      }
    })();
  }

  async acceptImport(a: AcceptImportInput): Promise<AcceptImportResult> {
    const tx = this.db.transaction((): AcceptImportResult => {
      const duplicates: string[] = [];
      for (const id of a.reportIds) if (this.s.claim.run(a.orgId, id, a.importPk).changes === 0) duplicates.push(id);
      const total = a.reportIds.length - duplicates.length;
      const status: ImportStatus = total === 0 ? 'Completed' : 'Queued';
      const accepted = this.s.finishAccept.run(a.reportIds.length, total, duplicates.length, status, total === 0 ? a.now : null, a.importPk);
      if (accepted.changes !== 1) throw new Error(`import ${a.importPk} is not receiving`);
      if (duplicates.length) {
        this.s.deleteUnclaimedFields.run({ import: a.importPk });
        this.s.deleteUnclaimedReports.run({ import: a.importPk });
      }
      return { duplicates, total, status };
    });
    return tx.immediate();
  }

  async discardImport(importPk: number): Promise<void> {
    this.db.transaction(() => {
      this.s.deleteWaitingFields.run(importPk);
      this.s.deleteWaitingReports.run(importPk);
      this.s.deleteReceiving.run(importPk);
    })();
  }

  async discardAbandonedImports(before: number): Promise<number> {
    const ids = this.s.abandoned.all(before) as number[];
    for (const id of ids) await this.discardImport(id);
    // a stop between an import's last batch and the purge of its staging leaves that behind too
    for (const id of this.s.finishedWithWaiting.all() as number[]) await this.purgeStaged(id);
    return ids.length;
  }

  async purgeStaged(importPk: number): Promise<void> {
    this.db.transaction(() => {
      this.s.deleteWaitingFields.run(importPk);
      this.s.deleteWaitingReports.run(importPk);
    })();
  }

  async importStatus(orgId: number, importId: string): Promise<ImportStatusRow | undefined> {
    // one snapshot: the counters and the pairs agree even while the worker commits
    return this.db.transaction(() => this.readImportStatus(orgId, importId))();
  }

  private readImportStatus(orgId: number, importId: string): ImportStatusRow | undefined {
    const row = this.s.importByIdAndOrg.get(importId, orgId) as (Omit<ImportStatusRow, 'reports'> & { id: number }) | undefined;
    if (!row) return undefined;
    const reports = this.imported.read(row.id, row.imported, (afterPk) => this.s.importedReportsAfter.all(row.id, afterPk) as Array<[number, string, string]>);
    return { status: row.status, total: row.total, imported: row.imported, errorCode: row.errorCode, errorMessage: row.errorMessage, reports };
  }

  async nextImportJob(): Promise<ImportJob | undefined> {
    return this.s.nextJob.get() as ImportJob | undefined;
  }
  async createNextReports(job: ImportJob, count: number, now: number): Promise<{ created: number; done: boolean }> {
    const tx = this.db.transaction(() => {
      const after = this.s.cursor.get(job.pk) as number;
      const forms = this.s.nextWaiting.all(job.pk, after, count) as Array<{ form: number; n: number; last: number }>;
      let created = 0;
      let last = after;
      for (const f of forms) {
        created += f.n;
        last = Math.max(last, f.last);
      }
      if (created > 0) {
        const numbered = this.s.numberReports.run({ import: job.pk, after, last, now }).changes;
        // a report whose form has gone would stay waiting for ever: fail the batch instead
        if (numbered !== created) throw new Error(`numbered ${numbered} of ${created} reports: a form is missing`);
        for (const f of forms) this.s.advanceCounter.run(f.n, f.form);
      }
      const done = !this.s.anyWaiting.get(job.pk, last);
      this.s.advanceImport.run({ import: job.pk, created, last, now, done: done ? 1 : 0 });
      // failures are counted in a row: a batch that goes through starts the count again
      this.s.resetAttempts.run(job.pk);
      return { created, done };
    });
    return tx.immediate();
  }

  async recordImportAttempt(importPk: number): Promise<number> {
    return this.s.attempt.get(importPk) as number;
  }
  async failImport(importPk: number, errorCode: string, message: string, now: number): Promise<void> {
    this.db.transaction(() => {
      this.s.failImport.run(errorCode, message, now, importPk);
      this.s.releaseClaims.run({ import: importPk });
      this.s.deleteWaitingFields.run(importPk);
      this.s.deleteWaitingReports.run(importPk);
    }).immediate();
  }
}

/** Exponential back-off once the threshold is reached: 1 s, 2 s, 4 s … up to maxBlockMs, for the attempts after this one. */
export function blockUntil(failures: number, now: number, policy: { threshold: number; maxBlockMs: number }): number | null {
  if (failures < policy.threshold) return null;
  const exp = Math.min(failures - policy.threshold, 30);
  return now + Math.min(1000 * 2 ** exp, policy.maxBlockMs);
}
