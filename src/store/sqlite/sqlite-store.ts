import Database from 'better-sqlite3';
import { LRUCache } from 'lru-cache';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ReportRecord } from '../../shared/report-record.ts';
import { type SqliteStagedRows, stagedRowsOf, type StagedRows } from '../staged-rows.ts';
import { FIELD_WIDTH, REPORT_WIDTH } from './staged-rows.ts';
import {
  FIELD_BANK_CACHE_SIZE, type AcceptImportInput, type AcceptImportResult, type ApiKeyLookup, type AuthAttemptPolicy, type ApiKeyRow, type AuthUser,
  type FormRow, type ImportJob, type ImportStatus, type ImportStatusRow,
  type Organisation, type Store, type UserWithSecret,
  type WaitingBatch, batchExtent,
} from '../store.ts';
import type { ImportFieldType } from '../../shared/report-record.ts';
import type { Operation } from '../../model/dsl.ts';
import type { BuiltQuery } from '../queries/build-query.ts';
import type { Page, PagedQuery, QueryInput } from '../queries/paged-query.ts';
import { runPagedQuery, type QueryReader } from '../queries/run-query.ts';
import { readsSql } from './sql/reads.ts';
import { checksumOf, planMigrations, type AppliedMigration } from '../migration-ledger.ts';
import { FieldStore } from '../field-store.ts';
import { sqliteDriver } from '../driver/sqlite-driver.ts';
import { sqliteMigrations } from './migrations.ts';
import { importsSql } from './sql/imports.ts';
import { prepareAll } from './sql/sql-set.ts';
import { ImportedReportsCache } from '../imported-reports-cache.ts';
import { withUnavailableErrors } from './unavailable-errors.ts';
import { importCountsOf, importCountsSql, type ImportCountRow } from '../import-counts.ts';

export interface SqliteStoreOptions {
  /** most field-bank ids kept in memory (least recently used dropped first) */
  fieldBankCacheSize?: number;
  /** most report id → number pairs kept in memory for status polls */
  statusCachePairs?: number;
}

/** about the reports of 1 MiB of a file: larger transactions gain nothing, smaller ones cost more */
const STAGED_PER_TRANSACTION = 500;

export function openSqliteStore(file: string, opts: SqliteStoreOptions = {}): SqliteStore {
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
  // LIKE folds ASCII only: text filters with other letters compare through this
  db.function('ulower', { deterministic: true }, (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v));
  migrate(db);
  return withUnavailableErrors(new SqliteStore(db, opts));
}

function migrate(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL, checksum TEXT)');
  // BEGIN IMMEDIATE takes the write lock first, so two processes starting together apply each step once
  const apply = db.transaction(() => {
    const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('schema_migrations') as string[];
    if (!columns.includes('checksum')) db.exec('ALTER TABLE schema_migrations ADD COLUMN checksum TEXT');
    const applied = db.prepare('SELECT version, checksum FROM schema_migrations').all() as AppliedMigration[];
    const { pending, unrecorded } = planMigrations(sqliteMigrations, applied);
    for (const m of unrecorded) db.prepare('UPDATE schema_migrations SET checksum = ? WHERE version = ?').run(checksumOf(m), m.version);
    for (const m of pending) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at, checksum) VALUES (?, ?, ?, ?)').run(m.version, m.name, Date.now(), checksumOf(m));
    }
  });
  apply.immediate();
}

class SqliteStore extends FieldStore implements Store {
  private readonly s: ReturnType<typeof prepareAll<typeof importsSql & typeof readsSql>>;
  private readonly imported: ImportedReportsCache;
  /** `org \0 label \0 type` → the field bank row's key */
  private readonly bankPks: LRUCache<string, number>;
  /** the imports whose files this store is receiving; any other `Receiving` one was left by a stop */
  private readonly receiving = new Set<number>();
  /** batches waiting to be written, in the order given */
  private readonly staged: Array<{ importPk: number; orgId: number; rows: SqliteStagedRows; resolve: () => void; reject: (err: unknown) => void }> = [];
  /** the read statements, by their text: the filters a request gives choose one of a few shapes */
  private readonly readStatements = new Map<string, Database.Statement>();

  readonly sharedUrl: string | undefined;
  readonly stagedRows = 'sqlite' as const;

  constructor(readonly db: Database.Database, opts: SqliteStoreOptions = {}) {
    super(sqliteDriver(db));
    this.sharedUrl = db.memory ? undefined : db.name;
    this.s = prepareAll(db, { ...importsSql, ...readsSql });
    this.bankPks = new LRUCache({ max: opts.fieldBankCacheSize ?? FIELD_BANK_CACHE_SIZE });
    this.imported = new ImportedReportsCache(opts.statusCachePairs);
  }

  /** How many field-bank ids are held in memory. */
  get cachedFieldBankIds(): number {
    return this.bankPks.size;
  }

  async close(): Promise<void> {
    this.db.close();
  }

  async pendingMigrations(): Promise<number> {
    const done = new Set(this.db.prepare('SELECT version FROM schema_migrations').pluck().all() as number[]);
    return sqliteMigrations.filter((m) => !done.has(m.version)).length;
  }

  async importCounts(): Promise<{ byStatus: Record<string, number>; waitingReports: number }> {
    return importCountsOf(this.db.prepare(importCountsSql).all() as ImportCountRow[]);
  }

  async releaseImportLeases(): Promise<void> {}

  async beginImport(i: { orgId: number; userId: number; importId: string; filename: string; now: number }): Promise<number> {
    const pk = Number(this.s.insertImport.run(i.importId, i.orgId, i.userId, i.filename, i.now).lastInsertRowid);
    this.receiving.add(pk);
    return pk;
  }

  async stageReports(importPk: number, orgId: number, reports: readonly ReportRecord[]): Promise<void> {
    await this.stageRows(importPk, orgId, stagedRowsOf('sqlite', reports));
  }

  /**
   * Batches arrive small (see staged-rows.ts), while each commit writes the hot index pages to the
   * log again: those that arrived by the next turn of the event loop are written together, one
   * transaction per import and up to STAGED_PER_TRANSACTION reports, the event loop getting a turn
   * between transactions.
   */
  stageRows(importPk: number, orgId: number, rows: StagedRows): Promise<void> {
    if (rows.dialect !== 'sqlite') return Promise.reject(new TypeError(`SQLite cannot stage ${rows.dialect} rows`));
    return new Promise((resolve, reject) => {
      if (this.staged.length === 0) setImmediate(() => this.writeStaged());
      this.staged.push({ importPk, orgId, rows, resolve, reject });
    });
  }

  private writeStaged(): void {
    const first = this.staged[0];
    let end = 1;
    let reports = first.rows.reportIds.length;
    while (end < this.staged.length && this.staged[end].importPk === first.importPk && reports < STAGED_PER_TRANSACTION) {
      reports += this.staged[end++].rows.reportIds.length;
    }
    const group = this.staged.splice(0, end);
    if (this.staged.length > 0) setImmediate(() => this.writeStaged());
    try {
      this.db.transaction(() => {
        for (const b of group) this.writeRows(b.importPk, b.orgId, b.rows);
      })();
    } catch (err) {
      // ids created inside the rolled-back transaction are gone from the table
      this.bankPks.clear();
      for (const b of group) b.reject(err);
      return;
    }
    for (const b of group) b.resolve();
  }

  private writeRows(importPk: number, orgId: number, rows: SqliteStagedRows): void {
    const { stageReport, stageField } = this.s;
    const { fieldReport, fieldBank } = rows;
    const banks = rows.bankLabels.map((label, i) => this.bankPk(orgId, label, rows.bankTypes[i]));
    const pks: Array<number | bigint> = [];
    for (const r of rows.reports) {
      for (let o = 0; o < r.length; o += REPORT_WIDTH) {
        pks.push(stageReport.run(r[o], orgId, r[o + 1], r[o + 2], r[o + 3], r[o + 4], r[o + 5], r[o + 6], r[o + 7], r[o + 8], r[o + 9],
          r[o + 10], r[o + 11], r[o + 12], importPk).lastInsertRowid);
      }
    }
    let i = 0;
    for (const f of rows.fields) {
      for (let o = 0; o < f.length; o += FIELD_WIDTH, i++) {
        stageField.run(pks[fieldReport[i]], banks[fieldBank[i]], f[o], f[o + 1], f[o + 2], f[o + 3], f[o + 4], f[o + 5], f[o + 6], f[o + 7],
          f[o + 8], f[o + 9]);
      }
    }
  }

  /** `labelKey`: the label lower-cased */
  private bankPk(orgId: number, labelKey: string, type: string): number {
    const key = `${orgId}\0${labelKey}\0${type}`;
    let pk = this.bankPks.get(key);
    if (pk === undefined) {
      this.s.insertBankField.run(orgId, labelKey, type, randomUUID());
      pk = this.s.bankPk.get(orgId, labelKey, type) as number;
      this.bankPks.set(key, pk);
    }
    return pk;
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
    const result = tx.immediate();
    this.receiving.delete(a.importPk);
    return result;
  }

  async discardImport(importPk: number): Promise<void> {
    this.receiving.delete(importPk);
    this.db.transaction(() => {
      // an accepted import's waiting reports are the worker's: removing them would end it incomplete
      if (!this.s.isReceiving.get(importPk)) return;
      this.s.deleteWaitingFields.run(importPk);
      this.s.deleteWaitingReports.run(importPk);
      this.s.deleteReceiving.run(importPk);
    }).immediate();
  }

  async discardAbandonedImports(now: number): Promise<number> {
    const ids = (this.s.abandoned.all(now) as number[]).filter((id) => !this.receiving.has(id));
    for (const id of ids) await this.discardImport(id);
    // a stop between an import's last batch and the purge of its staging leaves that behind too
    for (const id of this.s.finishedWithWaiting.all() as number[]) await this.dropWaitingReports(id);
    return ids.length;
  }

  async dropWaitingReports(importPk: number): Promise<void> {
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
    return { status: row.status, total: row.total, imported: row.imported, startedAt: row.startedAt, errorCode: row.errorCode, errorMessage: row.errorMessage, reports };
  }

  async nextImportJob(): Promise<ImportJob | undefined> {
    return this.s.nextJob.get() as ImportJob | undefined;
  }
  async createNextReports(job: ImportJob, count: number, now: number): Promise<{ created: number; done: boolean }> {
    const tx = this.db.transaction(() => {
      const state = this.s.jobState.get(job.pk) as { after: number; status: ImportStatus } | undefined;
      // a job held past its import's end (failed meanwhile) must not rewrite how it ended
      if (!state || (state.status !== 'Queued' && state.status !== 'Importing')) return { created: 0, done: true };
      const { after } = state;
      const forms = this.s.nextWaiting.all(job.pk, after, count) as WaitingBatch[];
      const { created, last } = batchExtent(forms, after);
      if (created > 0) {
        const numbered = this.s.numberReports.run({ import: job.pk, after, last, now }).changes;
        // a report whose form has gone would stay waiting for ever: fail the batch instead
        if (numbered !== created) throw new Error(`numbered ${numbered} of ${created} reports: a form is missing`);
        for (const f of forms) this.s.advanceCounter.run(f.n, f.form);
        this.s.countReports.run({ import: job.pk, after, last });
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

  // ---- reads

  private readStatement(sql: string): Database.Statement {
    let stmt = this.readStatements.get(sql);
    if (!stmt) {
      if (this.readStatements.size >= 256) this.readStatements.clear();
      stmt = this.db.prepare(sql);
      this.readStatements.set(sql, stmt);
    }
    return stmt;
  }

  /** One page and the count of all matches, read in one snapshot. */
  private page<T>(q: BuiltQuery, skip: number): Page<T> {
    return this.db.transaction(() => {
      const total = this.readStatement(q.count).pluck().get(...q.countParams) as number;
      const rows = total > skip ? this.readStatement(q.page).all(...q.pageParams) as T[] : [];
      return { total, rows };
    })();
  }

  private readonly reader: QueryReader = {
    dialect: 'sqlite',
    all: async (sql, params) => this.readStatement(sql).all(...params) as Array<Record<string, unknown>>,
    page: async (q, skip) => this.page(q, skip),
  };

  async queryPage(query: PagedQuery<Operation>, input: QueryInput): Promise<Page<Record<string, unknown>>> {
    return runPagedQuery(query, input, this.reader);
  }


}

