/**
 * The store seam. Services and the import worker see only this interface; each dialect
 * (SQLite for one process, PostgreSQL for several sharing one database) implements it with its own SQL.
 */
import type { EnumValue, Operation } from '../model/dsl.ts';
import type { FormStatus } from '../model/enums.ts';
import type { ImportFieldType, ReportRecord } from '../shared/report-record.ts';
import type { Page, PagedQuery, QueryInput } from './queries/paged-query.ts';
import type { StagedRows, StagingDialect } from './staged-rows.ts';

export interface Organisation { id: number; name: string }

/**
 * Field-bank ids each store keeps in memory, least recently used dropped first: an organisation's
 * distinct labels are usually a few hundred, and an id not kept is read again from the database.
 */
export const FIELD_BANK_CACHE_SIZE = 10_000;

/**
 * The database could not do what was asked: the connection was lost or refused, or the database
 * is busy or cannot write. What the call was doing was rolled back, so it may be tried again.
 * `reason` is safe to show a client; the driver's error is the cause.
 */
export class DatabaseUnavailableError extends Error {
  constructor(readonly reason: string, options?: { cause?: unknown }) {
    super((options?.cause as Error | undefined)?.message || reason, options);
    this.name = 'DatabaseUnavailableError';
  }
}

export interface FormRow {
  pk: number;
  formId: string;
  formRevisionId: string;
  orgId: number;
  name: string;
  numberPrefix: string;
  owner: string | null;
  revision: number;
  status: Exclude<EnumValue<typeof FormStatus>, 'All'>;
}

/** The authenticated caller, as every operation sees it. */
export interface AuthUser {
  userId: number;
  userName: string;
  displayName: string | null;
  orgId: number;
  orgName: string;
}

export interface UserWithSecret extends AuthUser { passwordHash: string | null; disabled: boolean }

export interface ApiKeyRow { id: number; userId: number; userName: string; label: string | null; createdAt: number; revokedAt: number | null }

export type ApiKeyLookup = { user: AuthUser; revoked: boolean } | undefined;

export interface AuthAttemptPolicy { windowMs: number; threshold: number; maxBlockMs: number }

/** `Receiving`: the file is still being checked; such an import is invisible until accepted. */
export type ImportStatus = 'Receiving' | 'Queued' | 'Importing' | 'Completed' | 'Failed';

export interface AcceptImportInput {
  importPk: number;
  orgId: number;
  /** every staged report id, in file order (within-file duplicates already left out) */
  reportIds: readonly string[];
  now: number;
}

export interface AcceptImportResult { duplicates: string[]; total: number; status: ImportStatus }

export interface ImportStatusRow {
  status: ImportStatus;
  total: number;
  imported: number;
  /** when the worker created the first batch (epoch ms), null while queued */
  startedAt: number | null;
  errorCode: string | null;
  errorMessage: string | null;
  /** report id → report number, in creation order */
  reports: Array<[string, string]>;
}

/** One unit of background work: an import with batches still to create. */
export interface ImportJob { pk: number; importId: string; orgId: number }

/** A field's answer: `values` for CheckList, `value` for every other type. */
export interface FieldAnswer { value: string | null; values: string[] | null }
export interface FieldChange { fieldId: string; userName: string; changedAt: number; old: FieldAnswer; new: FieldAnswer }

/** What the next numbering batch holds: its reports per form, and where it ends. */
export interface WaitingBatch { form: number; n: number; last: number }

/** How many reports a batch numbers, and the id of its last report (`after` when it is empty). */
export function batchExtent(forms: readonly WaitingBatch[], after: number): { created: number; last: number } {
  let created = 0;
  let last = after;
  for (const f of forms) {
    created += f.n;
    last = Math.max(last, f.last);
  }
  return { created, last };
}

export interface Store {
  /**
   * The URL another thread can open this same database with, so the import worker can number in
   * a thread of its own; undefined when no other connection can reach it (an in-memory database).
   */
  readonly sharedUrl: string | undefined;
  /** the staged rows stageRows takes (built by ./staged-rows.ts, wherever the file is read) */
  readonly stagedRows: StagingDialect;
  close(): Promise<void>;
  /** Migrations known to this build that the database has not applied (0 when current); fails when the database does not answer. */
  pendingMigrations(): Promise<number>;
  /** Imports per status, and reports accepted but not yet numbered: a single cheap query, for metrics. */
  importCounts(): Promise<{ byStatus: Record<string, number>; waitingReports: number }>;
  /** Lets go of the imports this store holds, so another process takes them over at once (PostgreSQL; no-op elsewhere). */
  releaseImportLeases(): Promise<void>;

  createOrganisation(name: string, now: number): Promise<Organisation>;
  findOrganisation(name: string): Promise<Organisation | undefined>;
  listOrganisations(): Promise<Organisation[]>;

  createUser(u: { orgId: number; userName: string; displayName?: string | null; passwordHash: string | null; now: number }): Promise<AuthUser>;
  findUser(userName: string): Promise<UserWithSecret | undefined>;
  setPassword(userId: number, passwordHash: string): Promise<void>;
  setUserDisabled(userId: number, disabled: boolean): Promise<void>;
  listUsers(orgId?: number): Promise<Array<AuthUser & { disabled: boolean }>>;
  countUsers(): Promise<number>;

  createApiKey(k: { userId: number; keyHash: string; label?: string | null; now: number }): Promise<number>;
  findApiKey(keyHash: string): Promise<ApiKeyLookup>;
  revokeApiKey(id: number, now: number): Promise<boolean>;
  listApiKeys(orgId?: number): Promise<ApiKeyRow[]>;

  createSession(s: { idHash: string; userId: number; expiresAt: number; now: number }): Promise<void>;
  findSession(idHash: string, now: number): Promise<AuthUser | undefined>;
  deleteSession(idHash: string): Promise<void>;

  /**
   * Counts a sign-in attempt against `key` before its password is checked, atomically, so attempts
   * made in parallel are counted too. Refused while `key` is blocked; once `threshold` attempts fall
   * inside `windowMs`, each further one blocks the key for a doubling time (up to `maxBlockMs`).
   */
  beginAuthAttempt(key: string, now: number, policy: AuthAttemptPolicy): Promise<{ allowed: true } | { allowed: false; retryAfterMs: number }>;
  /** The attempt succeeded: forget the key's count (`forget`), or take this one attempt back. */
  refundAuthAttempt(key: string, forget: boolean, threshold: number): Promise<void>;

  createForm(f: { orgId: number; name: string; numberPrefix: string; owner?: string | null; now: number }): Promise<FormRow>;
  listForms(orgId: number): Promise<FormRow[]>;
  setFormStatus(formPk: number, status: FormRow['status']): Promise<void>;

  /** Opens an import in the `Receiving` state, while its file is checked and its reports staged. */
  beginImport(i: { orgId: number; userId: number; importId: string; filename: string; now: number }): Promise<number>;
  /**
   * Writes reports of a `Receiving` import, in file order, without numbers: they wait, invisible to
   * every read, until the worker numbers them (a report exists once it has its number). Calls may
   * overlap: the reports of each call follow those of the calls made before it.
   */
  stageReports(importPk: number, orgId: number, reports: readonly ReportRecord[]): Promise<void>;
  /**
   * stageReports for reports already turned into this store's rows (built for `stagedRows` by
   * staged-rows.ts, wherever the file is read), so that writing them costs little more than the
   * writes themselves.
   */
  stageRows(importPk: number, orgId: number, rows: StagedRows): Promise<void>;
  /**
   * Accepts a checked file, atomically: claims its report ids (those already claimed by an
   * earlier import are the duplicates, whose waiting copies are removed) and queues it for the worker.
   */
  acceptImport(input: AcceptImportInput): Promise<AcceptImportResult>;
  /**
   * Removes a `Receiving` import and everything staged for it (its file was refused). Should that
   * fail too, the import is no longer this store's: the next sweep removes it.
   */
  discardImport(importPk: number): Promise<void>;
  /**
   * Removes what a process left behind when it stopped mid-import: `Receiving` imports nobody is
   * receiving any more (SQLite: none of this store's; PostgreSQL: their lease ran out), and reports
   * of finished imports still waiting for a number. Safe to run at any time, in any number of
   * processes; returns how many imports it removed.
   */
  discardAbandonedImports(now: number): Promise<number>;
  importStatus(orgId: number, importId: string): Promise<ImportStatusRow | undefined>;

  /** The oldest import with work left, or undefined. */
  nextImportJob(now: number): Promise<ImportJob | undefined>;
  /**
   * Creates the next `count` waiting reports of the job in one transaction: each is given the next
   * number of its form and the form's counter and the import's progress advance with it, so a crash
   * leaves either all of it or none.
   */
  createNextReports(job: ImportJob, count: number, now: number): Promise<{ created: number; done: boolean }>;
  /** Removes the reports of a finished (failed) import still waiting for a number. */
  dropWaitingReports(importPk: number): Promise<void>;
  recordImportAttempt(importPk: number): Promise<number>;
  failImport(importPk: number, errorCode: string, message: string, now: number): Promise<void>;

  // ---- reads: numbered reports only, always inside one organisation
  /** One page of a paged query operation, its rows as the response's members, and the count of all its matches, read in one snapshot. */
  queryPage(query: PagedQuery<Operation>, input: QueryInput): Promise<Page<Record<string, unknown>>>;
  /** A field of a numbered report of the organisation, or undefined. */
  findReportField(orgId: number, fieldId: string): Promise<({ fieldType: ImportFieldType } & FieldAnswer) | undefined>;
  /** Sets a field's answer and records the change, atomically; false when the field is not the organisation's. */
  updateReportField(u: { orgId: number; fieldId: string; answer: FieldAnswer; userId: number; now: number }): Promise<boolean>;
  /** Every recorded change of a field, oldest first. */
  fieldChanges(orgId: number, fieldId: string): Promise<FieldChange[]>;
}
