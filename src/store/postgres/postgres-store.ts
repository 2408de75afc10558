import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ReportRecord } from '../../shared/report-record.ts';
import type { ImportFieldType } from '../../shared/report-record.ts';
import { stagedRowsOf, type StagedRows } from '../staged-rows.ts';
import { type CopyColumns, fillSlot, KEY_WIDTH } from './staged-rows.ts';
import { LRUCache } from 'lru-cache';
import {
  DatabaseUnavailableError, FIELD_BANK_CACHE_SIZE, type AcceptImportInput, type AcceptImportResult, type ApiKeyLookup, type AuthAttemptPolicy, type ApiKeyRow, type AuthUser,
  type FormRow, type ImportJob, type ImportStatus, type ImportStatusRow,
  type Organisation, type Store, type UserWithSecret,
  type WaitingBatch, batchExtent,
} from '../store.ts';
import type { Operation } from '../../model/dsl.ts';
import type { BuiltQuery } from '../queries/build-query.ts';
import type { Page, PagedQuery, QueryInput } from '../queries/paged-query.ts';
import { runPagedQuery, type QueryReader } from '../queries/run-query.ts';
import { ImportedReportsCache } from '../imported-reports-cache.ts';
import { importCountsOf, importCountsSql, type ImportCountRow } from '../import-counts.ts';
import { FieldStore } from '../field-store.ts';
import { postgresDriver } from '../driver/postgres-driver.ts';
import { migratePostgres } from './migrate.ts';
import { postgresMigrations } from './migrations.ts';
import { importsSql } from './sql/imports.ts';
import { readsSql } from './sql/reads.ts';
import { namedStatements } from './sql/sql-set.ts';
import { copyChunks } from './copy-stream.ts';

// the keys first, then the columns of the staged rows (./staged-rows.ts)
const copyReports = `COPY reports (id, org_id, import_pk, report_id, form_pk, summary, status, category, owner, raised_by, raised_from,
  closed_by, raised_date, submitted_date, closed_date, is_mandatory) FROM STDIN`;
const copyFields = `COPY report_fields (report_pk, bank_pk, field_id, parent_field_id, row_index, position, label, field_type,
  section_name, section_id, value, values_json) FROM STDIN`;

export interface PostgresStoreOptions {
  /** how long a worker holds an import without renewing it; past that another process takes it over */
  importLeaseMs?: number;
  /**
   * how long an import whose file is being received stays with a process that stopped renewing it
   * (it renews every third of this while alive); past that, any process's sweep removes it.
   * Default: `importLeaseMs`.
   */
  receivingLeaseMs?: number;
  poolSize?: number;
  /** most field-bank ids kept in memory (least recently used dropped first) */
  fieldBankCacheSize?: number;
  /** most report id → number pairs kept in memory for status polls */
  statusCachePairs?: number;
}


/** The database could not be reached or refused the connection. */
export class StoreUnavailableError extends Error {}

// ids and epoch milliseconds are bigint columns; all of them stay well inside 2^53
export const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? Number : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export async function openPostgresStore(url: string, opts: PostgresStoreOptions = {}): Promise<PostgresStore> {
  const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 8, connectionTimeoutMillis: 10_000, types: pgTypes });
  // an idle connection the server closed (restart, terminated backend) is dropped; the next query opens another
  pool.on('error', () => undefined);
  try {
    await migratePostgres(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'EHOSTUNREACH' || e.code === 'ETIMEDOUT'
      || /timeout|terminated|authentication|does not exist|ECONNRESET/i.test(e.message)) {
      throw new StoreUnavailableError(`cannot use the PostgreSQL database at ${redactUrl(url)}: ${e.message || e.code}`);
    }
    throw err;
  }
  return new PostgresStore(pool, opts, url);
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url; // a file path: nothing secret in it
  }
}

const q = namedStatements({ ...importsSql, ...readsSql });
type Queryable = pg.Pool | pg.PoolClient;

class PostgresStore extends FieldStore implements Store {
  readonly stagedRows = 'postgres' as const;
  /** names this store's leases, one per process and thread: host and pid say which process holds an import */
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly imported: ImportedReportsCache;
  private reserving: Promise<unknown> = Promise.resolve();
  /** staged batches written at once, each on its own connection */
  private readonly stagingSlots = new Slots(2);
  /** `org \0 label \0 type` → the field bank row's key; a key once stored never changes */
  private readonly bankPks: LRUCache<string, string>;
  private readonly importLeaseMs: number;
  private readonly receivingLeaseMs: number;
  /** the imports whose files this store is receiving: their leases are renewed while it lives */
  private readonly receiving = new Set<number>();
  private renewing: NodeJS.Timeout | undefined;

  constructor(readonly pool: pg.Pool, opts: PostgresStoreOptions = {}, readonly sharedUrl: string | undefined = undefined) {
    super(postgresDriver({ query: (config, on) => store.query(config, on ?? pool), tx: (fn) => store.tx(fn) }));
    const store = this;
    this.importLeaseMs = opts.importLeaseMs ?? 30_000;
    this.receivingLeaseMs = opts.receivingLeaseMs ?? this.importLeaseMs;
    this.bankPks = new LRUCache({ max: opts.fieldBankCacheSize ?? FIELD_BANK_CACHE_SIZE });
    this.imported = new ImportedReportsCache(opts.statusCachePairs);
  }

  /** How many field-bank ids are held in memory. */
  get cachedFieldBankIds(): number {
    return this.bankPks.size;
  }

  async close(): Promise<void> {
    clearInterval(this.renewing);
    await this.pool.end();
  }

  async pendingMigrations(): Promise<number> {
    const done = new Set((await this.rows<{ version: number }>({ text: 'SELECT version FROM schema_migrations' })).map((r) => r.version));
    return postgresMigrations.filter((m) => !done.has(m.version)).length;
  }

  async importCounts(): Promise<{ byStatus: Record<string, number>; waitingReports: number }> {
    return importCountsOf(await this.rows<ImportCountRow>({ text: importCountsSql }));
  }

  async releaseImportLeases(): Promise<void> {
    await this.run({ text: "UPDATE imports SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1 AND status IN ('Queued', 'Importing')", values: [this.owner] });
  }

  private async rows<T>(config: pg.QueryConfig, db: Queryable = this.pool): Promise<T[]> {
    return (await this.query(config, db)).rows as T[];
  }
  private async row<T>(config: pg.QueryConfig, db: Queryable = this.pool): Promise<T | undefined> {
    return (await this.query(config, db)).rows[0] as T | undefined;
  }
  private async run(config: pg.QueryConfig, db: Queryable = this.pool): Promise<number> {
    return (await this.query(config, db)).rowCount ?? 0;
  }

  /**
   * A connection the server ended while it sat idle in the pool (a restart, a failover) fails the
   * next statement sent on it. A read on its own is sent again on a fresh connection; anything else
   * fails, as it may have been applied.
   */
  private async query(config: pg.QueryConfig, db: Queryable): Promise<pg.QueryResult> {
    try {
      return await db.query(config);
    } catch (err) {
      if (db !== this.pool || !lostConnection(err) || !/^\s*SELECT\b/i.test(config.text)) throw unavailable(err);
      try {
        return await db.query(config);
      } catch (again) {
        throw unavailable(again);
      }
    }
  }

  /**
   * Runs `fn` in one transaction on one connection; a connection that failed is not reused. `fn`
   * should only query `c`: awaiting other work would hold the transaction open meanwhile.
   */
  private async tx<T>(fn: (c: pg.PoolClient) => Promise<T>, begin = 'BEGIN', retry = true): Promise<T> {
    let c: pg.PoolClient;
    try {
      c = await this.pool.connect();
    } catch (err) {
      throw unavailable(err);
    }
    // the pool listens for errors only on idle connections: a checked-out one the server ends
    // emits 'error' besides failing its query, which unheard would end the process
    let broken = false;
    const onError = () => (broken = true);
    c.on('error', onError);
    const release = (destroy: boolean) => {
      c.removeListener('error', onError);
      c.release(destroy || broken);
    };
    try {
      await c.query(begin);
    } catch (err) {
      release(true);
      // nothing was done yet: a connection found dead at BEGIN is replaced once
      if (retry && lostConnection(err)) return this.tx(fn, begin, false);
      throw unavailable(err);
    }
    try {
      const out = await fn(c);
      await c.query('COMMIT');
      release(false);
      return out;
    } catch (err) {
      try {
        await c.query('ROLLBACK');
        release(false);
      } catch {
        release(true);
      }
      throw unavailable(err);
    }
  }

  async beginImport(i: { orgId: number; userId: number; importId: string; filename: string; now: number }): Promise<number> {
    const row = await this.row<{ id: number }>(q.insertImport(i.importId, i.orgId, i.userId, i.filename, this.owner, i.now + this.receivingLeaseMs, i.now));
    this.receiving.add(row!.id);
    this.renewing ??= setInterval(() => void this.renewReceivingLeases(), Math.max(100, this.receivingLeaseMs / 3)).unref();
    return row!.id;
  }

  /** Keeps this process's files from looking abandoned while they are checked, however long a batch waits. */
  private async renewReceivingLeases(): Promise<void> {
    if (this.receiving.size === 0) {
      clearInterval(this.renewing);
      this.renewing = undefined;
      return;
    }
    // a failure is the database being away: the next turn tries again, and the upload sees it itself
    await this.run(q.renewReceivingMany([...this.receiving], Date.now() + this.receivingLeaseMs)).catch(() => undefined);
  }

  private doneReceiving(importPk: number): void {
    this.receiving.delete(importPk);
  }

  async stageReports(importPk: number, orgId: number, reports: readonly ReportRecord[]): Promise<void> {
    await this.stageRows(importPk, orgId, stagedRowsOf('postgres', reports));
  }

  /**
   * The batch's reports and all their fields each go in one COPY. Ids are reserved in call order
   * before anything waits, so batches can be written side by side and file order stays id order;
   * each batch's transaction begins once its ids and bank keys are known, and only then waits
   * on nothing but its own connection. The lines come built: each gets its keys put in front.
   */
  async stageRows(importPk: number, orgId: number, rows: StagedRows): Promise<void> {
    if (rows.dialect !== 'postgres') throw new TypeError(`PostgreSQL cannot stage ${rows.dialect} rows`);
    const n = rows.reportIds.length;
    if (n === 0) return;
    const reserved = this.reserveReportIds(n);
    const banks = await this.bankPksOf(orgId, rows.bankLabels, rows.bankTypes);
    const ids = await reserved;
    await this.stagingSlots.run(() => {
      const reportKeys = ids.map(String);
      const org = String(orgId);
      const imp = String(importPk);
      const reports = withKeys(rows.reports, [(i) => reportKeys[i], () => org, () => imp]);
      const bankKeys = banks.map(String);
      const { fieldReport, fieldBank } = rows;
      const fields = withKeys(rows.fields, [(i) => reportKeys[fieldReport[i]], (i) => bankKeys[fieldBank[i]]]);
      return this.tx(async (c) => {
        // a staged batch needs no flush of its own: the accepting commit flushes the log through it
        await c.query('SET LOCAL synchronous_commit = off');
        await copyChunks(c, copyReports, reports);
        if (rows.fields.ends.length) await copyChunks(c, copyFields, fields);
        await c.query(q.renewReceiving(importPk, Date.now() + this.receivingLeaseMs));
      });
    });
  }

  private reserveReportIds(n: number): Promise<number[]> {
    const ids = this.reserving.then(async () => (await this.rows<{ id: number }>(q.reserveReportIds(n))).map((r) => r.id).sort((a, b) => a - b));
    this.reserving = ids.catch(() => undefined);
    return ids;
  }

  /**
   * The field bank keys of the batch's bank fields (lower-cased label and type, pairwise), created
   * in one statement where missing. The batch gets keys of its own: the cache may drop keys meanwhile.
   */
  private async bankPksOf(orgId: number, labels: readonly string[], types: readonly string[]): Promise<string[]> {
    const keys = new Array<string>(labels.length);
    const missing = new Map<string, number>();
    for (let i = 0; i < labels.length; i++) {
      const pk = this.bankPks.get(`${orgId}\0${labels[i]}\0${types[i]}`);
      if (pk !== undefined) keys[i] = pk;
      else missing.set(`${labels[i]}\0${types[i]}`, i);
    }
    if (missing.size) {
      const wanted = [...missing.values()];
      const missingLabels = wanted.map((i) => labels[i]);
      const missingTypes = wanted.map((i) => types[i]);
      await this.run(q.insertBankFields(orgId, missingLabels, missingTypes, missingLabels.map(() => randomUUID())));
      for (const row of await this.rows<{ labelKey: string; fieldType: string; id: string }>(q.bankPks(orgId, missingLabels, missingTypes))) {
        const key = `${row.labelKey}\0${row.fieldType}`;
        const i = missing.get(key);
        if (i !== undefined) keys[i] = row.id;
        this.bankPks.set(`${orgId}\0${key}`, row.id);
      }
    }
    for (let i = 0; i < keys.length; i++) if (keys[i] === undefined) throw new Error(`no field bank key for ${labels[i]} (${types[i]})`);
    return keys;
  }

  async acceptImport(a: AcceptImportInput): Promise<AcceptImportResult> {
    const result = await this.tx(async (c): Promise<AcceptImportResult> => {
      const claimed = new Set((await this.rows<{ id: string }>(q.claim(a.orgId, a.reportIds, a.importPk), c)).map((r) => r.id));
      const duplicates = a.reportIds.filter((id) => !claimed.has(id));
      const total = a.reportIds.length - duplicates.length;
      const status: ImportStatus = total === 0 ? 'Completed' : 'Queued';
      const accepted = await this.run(q.finishAccept(a.reportIds.length, total, duplicates.length, status, total === 0 ? a.now : null, a.importPk), c);
      if (accepted !== 1) throw new Error(`import ${a.importPk} is not receiving`);
      if (duplicates.length) {
        await c.query(q.deleteUnclaimedFields(a.importPk));
        await c.query(q.deleteUnclaimedReports(a.importPk));
      }
      return { duplicates, total, status };
    });
    this.doneReceiving(a.importPk);
    return result;
  }

  async discardImport(importPk: number): Promise<void> {
    this.doneReceiving(importPk);
    await this.discardReceiving(importPk);
  }

  /**
   * Locks the import's row first: a batch still being staged for it (its owner thought dead) then
   * either commits before the delete, which removes its rows too, or fails on the import's key.
   */
  private async discardReceiving(importPk: number, abandonedBefore?: number): Promise<boolean> {
    return this.tx(async (c) => {
      const locked = abandonedBefore === undefined ? await c.query(q.lockReceiving(importPk)) : await c.query(q.lockAbandoned(importPk, abandonedBefore));
      if (locked.rowCount === 0) return false;
      await c.query(q.deleteWaitingFields(importPk));
      await c.query(q.deleteWaitingReports(importPk));
      await c.query(q.deleteReceiving(importPk));
      return true;
    });
  }

  async discardAbandonedImports(now: number): Promise<number> {
    let discarded = 0;
    for (const { id } of await this.rows<{ id: number }>(q.abandoned(now))) {
      if (!this.receiving.has(id) && (await this.discardReceiving(id, now))) discarded++;
    }
    // a stop between an import's last batch and the purge of its staging leaves that behind too
    for (const { id } of await this.rows<{ id: number }>(q.finishedWithWaiting())) await this.dropWaitingReports(id);
    return discarded;
  }

  async dropWaitingReports(importPk: number): Promise<void> {
    await this.tx(async (c) => {
      await c.query(q.deleteWaitingFields(importPk));
      await c.query(q.deleteWaitingReports(importPk));
    });
  }

  async importStatus(orgId: number, importId: string): Promise<ImportStatusRow | undefined> {
    // one snapshot: the counters and the pairs agree even while a worker commits
    return this.tx(async (c) => {
      const row = await this.row<Omit<ImportStatusRow, 'reports'> & { id: number }>(q.importByIdAndOrg(importId, orgId), c);
      if (!row) return undefined;
      const reports = await this.imported.readAsync(row.id, row.imported, async (afterPk) =>
        (await c.query({ ...q.importedReportsAfter(row.id, afterPk), rowMode: 'array' })).rows as Array<[number, string, string]>);
      return { status: row.status, total: row.total, imported: row.imported, startedAt: row.startedAt, errorCode: row.errorCode, errorMessage: row.errorMessage, reports };
    }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  async nextImportJob(now: number): Promise<ImportJob | undefined> {
    return this.row<ImportJob>(q.claimJob(this.owner, now, now + this.importLeaseMs));
  }

  async createNextReports(job: ImportJob, count: number, now: number): Promise<{ created: number; done: boolean }> {
    return this.tx(async (c) => {
      // the import's row lock orders every process working on it; the cursor is read under it
      const state = await this.row<{ after: number; status: ImportStatus; owner: string | null; until: number | null }>(q.lockJob(job.pk), c);
      if (!state || (state.status !== 'Queued' && state.status !== 'Importing')) return { created: 0, done: true };
      // another process took the import over while this one stalled: leave it to that one
      if (state.owner !== this.owner && state.until !== null && state.until > now) return { created: 0, done: true };
      const { after } = state;
      const forms = await this.rows<WaitingBatch>(q.nextWaiting(job.pk, after, count), c);
      const { created, last } = batchExtent(forms, after);
      if (created > 0) {
        await c.query(q.lockForms(forms.map((f) => f.form)));
        const numbered = await this.run(q.numberReports(job.pk, after, last, now), c);
        // a report whose form has gone would stay waiting for ever: fail the batch instead
        if (numbered !== created) throw new Error(`numbered ${numbered} of ${created} reports: a form is missing`);
        await c.query(q.advanceCounters(forms.map((f) => f.form), forms.map((f) => f.n)));
        await c.query(q.countReports(job.pk, after, last));
      }
      const done = !(await this.row(q.anyWaiting(job.pk, last), c));
      await c.query(q.advanceImport(job.pk, created, last, now, done, this.owner, now + this.importLeaseMs));
      return { created, done };
    });
  }

  async recordImportAttempt(importPk: number): Promise<number> {
    return (await this.row<{ attempts: number }>(q.attempt(importPk)))!.attempts;
  }
  async failImport(importPk: number, errorCode: string, message: string, now: number): Promise<void> {
    await this.tx(async (c) => {
      await c.query(q.failImport(errorCode, message, now, importPk));
      await c.query(q.releaseClaims(importPk));
      await c.query(q.deleteWaitingFields(importPk));
      await c.query(q.deleteWaitingReports(importPk));
    });
  }

  // ---- reads

  /** One page and the count of all matches, read in one snapshot. */
  private async page<T>(q: BuiltQuery, skip: number): Promise<Page<T>> {
    return this.tx(async (c) => {
      const total = Number(Object.values((await c.query(q.count, q.countParams)).rows[0])[0]);
      const rows = total > skip ? (await c.query(q.page, q.pageParams)).rows as T[] : [];
      return { total, rows };
    }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  private readonly reader: QueryReader = {
    dialect: 'postgres',
    all: (text, values) => this.rows({ text, values: [...values] }),
    page: (q, skip) => this.page(q, skip),
  };

  async queryPage(query: PagedQuery<Operation>, input: QueryInput): Promise<Page<Record<string, unknown>>> {
    return runPagedQuery(query, input, this.reader);
  }


}

/** The server ended the connection (terminated backend, shutdown), it broke, or none could be opened. */
function lostConnection(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return /^(57P0[123]|08|53300$)|^(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH|EAI_AGAIN)$/.test(e.code ?? '')
    || /Connection terminated|ECONNRESET|EPIPE|not queryable|timeout exceeded when trying to connect/i.test(e.message ?? '');
}

/** A lost connection as the store's callers know it; any other error as it is. */
function unavailable(err: unknown): unknown {
  if (err instanceof DatabaseUnavailableError || !lostConnection(err)) return err;
  return new DatabaseUnavailableError('The connection to the database was lost', { cause: err });
}

/** At most `free` tasks at once; the others wait their turn. */
class Slots {
  private readonly waiting: Array<() => void> = [];
  constructor(private free: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

/**
 * The lines with their keys written into their slots (`slots[s](i)`: the key of slot s of line i),
 * as chunks to send: COPY's data need not be cut at line ends.
 */
function withKeys(lines: CopyColumns, slots: ReadonlyArray<(i: number) => string>): Buffer[] {
  const { bytes, ends } = lines;
  for (let s = 0; s < slots.length; s++) {
    const key = slots[s];
    const offset = s * (KEY_WIDTH + 1);
    for (let i = 0, start = 0; i < ends.length; start = ends[i++]) fillSlot(bytes, start + offset, key(i));
  }
  const all = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: Buffer[] = [];
  for (let at = 0; at < all.length; at += 1 << 16) chunks.push(all.subarray(at, at + (1 << 16)));
  return chunks;
}
