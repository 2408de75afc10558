/**
 * The Store contract: the same tests on whichever dialect TEST_STORE selects, through the Store
 * interface alone. Plain SQL is used only to look at what the interface does not show (waiting
 * rows, field ids, per-form sequence numbers), never to change anything.
 *
 * The reads being redesigned elsewhere (queryReports, queryReportFields, queryForms) are left out.
 */
import { after, afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrap } from '../src/admin/provisioning.ts';
import { tokenHash, verifyPassword } from '../src/shared/secrets.ts';
import type { FieldRecord, ReportRecord } from '../src/shared/report-record.ts';
import { openStore } from '../src/store/open-store.ts';
import type { PostgresStoreOptions } from '../src/store/postgres/postgres-store.ts';
import { DatabaseUnavailableError, type AuthUser, type FormRow, type ImportJob, type Organisation, type Store } from '../src/store/store.ts';
import { createTestDatabase, onPostgres, sqlOf } from './support/database.ts';

const dir = mkdtempSync(join(tmpdir(), 'coruson-contract-'));
const database = await createTestDatabase(dir);
const store = await openStore(database.url);
const sql = sqlOf(store);
/** stores a test opens beside `store` (other processes sharing the database); closed after it */
const extra: Store[] = [];

after(async () => {
  await store.close();
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

// tests share one database: work a test leaves unfinished would be the "oldest job" of the next
afterEach(async () => {
  for (const s of extra.splice(0)) await s.close().catch(() => undefined);
  await store.releaseImportLeases();
  for (const { id } of await sql.all<{ id: number }>("SELECT id FROM imports WHERE status IN ('Queued', 'Importing')")) {
    await store.failImport(id, 'TestCleanup', 'left by a test', Date.now());
  }
  for (const { id } of await sql.all<{ id: number }>("SELECT id FROM imports WHERE status = 'Receiving'")) await store.discardImport(id);
});

async function another(opts: PostgresStoreOptions = {}): Promise<Store> {
  const s = await openStore(database.url, opts);
  extra.push(s);
  return s;
}

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1);

interface Tenant { org: Organisation; user: AuthUser; occ: FormRow; haz: FormRow }

let tenants = 0;
/** An organisation of its own for each test, with a user and two forms. */
async function tenant(prefixes: [string, string] = ['OCC', 'HAZ']): Promise<Tenant> {
  const n = ++tenants;
  const org = await store.createOrganisation(`Contract Org ${n}`, Date.now());
  const user = await store.createUser({ orgId: org.id, userName: `contract.user.${n}`, passwordHash: 'x', now: Date.now() });
  const occ = await store.createForm({ orgId: org.id, name: 'Occurrence', numberPrefix: prefixes[0], now: Date.now() });
  const haz = await store.createForm({ orgId: org.id, name: 'Hazard', numberPrefix: prefixes[1], now: Date.now() });
  return { org, user, occ, haz };
}

let made = 0;
function report(form: FormRow, over: Partial<ReportRecord> = {}): ReportRecord {
  made++;
  return {
    id: randomUUID(), form: form.pk, summary: `report ${made}`, status: 'New', raisedBy: 'tester', raised: T0 + made, mandatory: false,
    fields: [{ label: 'Location', type: 'TextBox', value: `Hangar ${made}` }],
    ...over,
  };
}

interface Received { pk: number; importId: string; reports: ReportRecord[] }

async function receive(t: Tenant, reports: ReportRecord[], s: Store = store): Promise<Received> {
  const importId = randomUUID();
  const pk = await s.beginImport({ orgId: t.org.id, userId: t.user.userId, importId, filename: 'contract.xml', now: Date.now() });
  await s.stageReports(pk, t.org.id, reports);
  return { pk, importId, reports };
}

async function accept(t: Tenant, r: Received, s: Store = store) {
  return s.acceptImport({ importPk: r.pk, orgId: t.org.id, reportIds: r.reports.map((x) => x.id), now: Date.now() });
}

async function imported(t: Tenant, reports: ReportRecord[], s: Store = store): Promise<Received> {
  const r = await receive(t, reports, s);
  await accept(t, r, s);
  return r;
}

function jobOf(t: Tenant, r: Received): ImportJob {
  return { pk: r.pk, importId: r.importId, orgId: t.org.id };
}

/** Takes the next job, which must be `r`'s, and numbers it in batches of `batch`; returns each batch's outcome. */
async function number(t: Tenant, r: Received, batch: number, s: Store = store) {
  const job = await s.nextImportJob(Date.now());
  assert.deepEqual(job, jobOf(t, r), 'the job is the import just accepted');
  const steps: Array<{ created: number; done: boolean }> = [];
  for (;;) {
    const step = await s.createNextReports(job!, batch, Date.now());
    steps.push(step);
    if (step.done) return steps;
    assert.ok(steps.length < 10_000, 'numbering ends');
  }
}

async function statusOf(t: Tenant, r: Received, s: Store = store) {
  const st = await s.importStatus(t.org.id, r.importId);
  assert.ok(st, 'the import is visible');
  // the first numbered batch sets when the import started; before it there is no time
  const { startedAt, ...rest } = st;
  if (st.status === 'Importing' || (st.status === 'Completed' && st.imported > 0)) assert.equal(typeof startedAt, 'number');
  if (st.status === 'Queued') assert.equal(startedAt, null);
  return rest;
}

async function waitingOf(importPk: number): Promise<number> {
  return (await sql.get<{ n: number }>('SELECT count(*) AS n FROM reports WHERE import_pk = ? AND number IS NULL', importPk))!.n;
}

async function rowsOf(importPk: number): Promise<{ reports: number; fields: number }> {
  const reports = (await sql.get<{ n: number }>('SELECT count(*) AS n FROM reports WHERE import_pk = ?', importPk))!.n;
  const fields = (await sql.get<{ n: number }>(
    'SELECT count(*) AS n FROM report_fields WHERE report_pk IN (SELECT id FROM reports WHERE import_pk = ?)', importPk))!.n;
  return { reports, fields };
}

/** The sequence numbers a form has given out, in order. */
async function seqsOf(form: FormRow): Promise<number[]> {
  return (await sql.all<{ seq: number }>('SELECT seq FROM reports WHERE form_pk = ? AND number IS NOT NULL ORDER BY seq', form.pk)).map((r) => Number(r.seq));
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const num = (prefix: string, seq: number) => `${prefix}-${String(seq).padStart(4, '0')}`;

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  assert.fail('expected a rejection');
}

describe('organisations, users and credentials', () => {
  test('bootstrap on an empty database creates the organisation, its forms, an admin and a working API key, once', async () => {
    assert.equal(await store.countUsers(), 0);
    const boot = await bootstrap(store, { organisation: 'Acme Aviation', userName: 'admin', password: 'contract password', apiKey: 'contract-api-key-0123456789' });
    assert.ok(boot);
    assert.equal(await store.countUsers(), 1);
    const org = await store.findOrganisation('Acme Aviation');
    assert.ok(org);
    const forms = await store.listForms(org.id);
    assert.deepEqual(forms.map((f) => [f.name, f.numberPrefix, f.status, f.revision, f.orgId]), [
      ['Occurrence Report', 'OCC', 'Active', 1, org.id], ['Hazard Report', 'HAZ', 'Active', 1, org.id], ['Safety Observation', 'OBS', 'Active', 1, org.id],
    ]);
    const admin = await store.findUser('admin');
    assert.ok(admin);
    assert.equal(admin.orgId, org.id);
    assert.equal(admin.orgName, 'Acme Aviation');
    assert.equal(admin.displayName, 'Administrator');
    assert.equal(admin.disabled, false);
    assert.ok(await verifyPassword(admin.passwordHash!, 'contract password'));
    const key = await store.findApiKey(tokenHash('contract-api-key-0123456789'));
    assert.deepEqual(key, { user: { userId: admin.userId, userName: 'admin', displayName: 'Administrator', orgId: org.id, orgName: 'Acme Aviation' }, revoked: false });

    assert.equal(await bootstrap(store, { organisation: 'Other', userName: 'other', password: 'another password' }), undefined);
    assert.equal(await store.countUsers(), 1);
    assert.equal(await store.findOrganisation('Other'), undefined);
  });

  test('organisations are found by name in any letter case and listed in creation order; a name is taken once', async () => {
    const a = await store.createOrganisation('Blue Skies', Date.now());
    const b = await store.createOrganisation('Red Arrows', Date.now());
    assert.equal(a.name, 'Blue Skies');
    assert.ok(b.id > a.id);
    assert.deepEqual(await store.findOrganisation('Blue Skies'), a);
    assert.deepEqual(await store.findOrganisation('bLUE sKIES'), a);
    assert.equal(await store.findOrganisation('Blue Sky'), undefined);
    const listed = await store.listOrganisations();
    assert.deepEqual(listed.slice(-2), [a, b]);
    assert.deepEqual(listed.map((o) => o.id), [...listed.map((o) => o.id)].sort((x, y) => x - y));

    const err = await rejection(store.createOrganisation('BLUE SKIES', Date.now()));
    assert.ok(!(err instanceof DatabaseUnavailableError), 'a taken name is the request, not the database');
    assert.equal((await store.listOrganisations()).length, listed.length);
  });

  test('users: found in any letter case with their secret, password and disabled flag kept, listed per organisation', async () => {
    const o1 = await store.createOrganisation('Users One', Date.now());
    const o2 = await store.createOrganisation('Users Two', Date.now());
    const before = await store.countUsers();
    const u1 = await store.createUser({ orgId: o1.id, userName: 'Alice.Pilot', displayName: 'Alice', passwordHash: 'h1', now: Date.now() });
    const u2 = await store.createUser({ orgId: o1.id, userName: 'bob', passwordHash: null, now: Date.now() });
    const u3 = await store.createUser({ orgId: o2.id, userName: 'carol', passwordHash: 'h3', now: Date.now() });
    assert.deepEqual(u1, { userId: u1.userId, userName: 'Alice.Pilot', displayName: 'Alice', orgId: o1.id, orgName: 'Users One' });
    assert.equal(u2.displayName, null);
    assert.equal(await store.countUsers(), before + 3);

    assert.deepEqual(await store.findUser('alice.pilot'), { ...u1, passwordHash: 'h1', disabled: false });
    assert.equal((await store.findUser('bob'))!.passwordHash, null);
    assert.equal(await store.findUser('nobody'), undefined);

    await store.setPassword(u2.userId, 'h2');
    await store.setUserDisabled(u1.userId, true);
    assert.equal((await store.findUser('bob'))!.passwordHash, 'h2');
    assert.equal((await store.findUser('Alice.Pilot'))!.disabled, true);
    assert.deepEqual(await store.listUsers(o1.id), [{ ...u1, disabled: true }, { ...u2, disabled: false }]);
    assert.deepEqual(await store.listUsers(o2.id), [{ ...u3, disabled: false }]);
    const all = await store.listUsers();
    assert.equal(all.length, before + 3);
    assert.deepEqual(all.slice(-3).map((u) => u.userId), [u1.userId, u2.userId, u3.userId]);
    await store.setUserDisabled(u1.userId, false);
    assert.equal((await store.findUser('Alice.Pilot'))!.disabled, false);

    const err = await rejection(store.createUser({ orgId: o2.id, userName: 'ALICE.PILOT', passwordHash: 'x', now: Date.now() }));
    assert.ok(!(err instanceof DatabaseUnavailableError));
    assert.equal(await store.countUsers(), before + 3, 'a user name is taken once, in any letter case');
  });

  test('API keys: found by hash, revoked once, revoked in effect while their user is disabled, listed per organisation', async () => {
    const t1 = await tenant();
    const t2 = await tenant();
    const now = Date.now();
    const k1 = await store.createApiKey({ userId: t1.user.userId, keyHash: 'hash-one', label: 'ci', now });
    const k2 = await store.createApiKey({ userId: t1.user.userId, keyHash: 'hash-two', now: now + 1 });
    const k3 = await store.createApiKey({ userId: t2.user.userId, keyHash: 'hash-three', label: 'other', now: now + 2 });
    assert.deepEqual(await store.findApiKey('hash-one'), { user: t1.user, revoked: false });
    assert.equal(await store.findApiKey('hash-unknown'), undefined);

    assert.equal(await store.revokeApiKey(k1, now + 10), true);
    assert.equal(await store.revokeApiKey(k1, now + 20), false, 'a key is revoked once');
    assert.equal(await store.revokeApiKey(999_999_999, now), false);
    assert.deepEqual(await store.findApiKey('hash-one'), { user: t1.user, revoked: true });
    assert.deepEqual(await store.findApiKey('hash-two'), { user: t1.user, revoked: false });

    await store.setUserDisabled(t1.user.userId, true);
    assert.equal((await store.findApiKey('hash-two'))!.revoked, true, "a disabled user's keys do not work");
    await store.setUserDisabled(t1.user.userId, false);
    assert.equal((await store.findApiKey('hash-two'))!.revoked, false);

    const u = t1.user.userName;
    assert.deepEqual(await store.listApiKeys(t1.org.id), [
      { id: k1, userId: t1.user.userId, userName: u, label: 'ci', createdAt: now, revokedAt: now + 10 },
      { id: k2, userId: t1.user.userId, userName: u, label: null, createdAt: now + 1, revokedAt: null },
    ]);
    assert.deepEqual((await store.listApiKeys(t2.org.id)).map((k) => k.id), [k3]);
    assert.deepEqual((await store.listApiKeys()).filter((k) => [k1, k2, k3].includes(k.id)).map((k) => k.id), [k1, k2, k3]);

    const err = await rejection(store.createApiKey({ userId: t2.user.userId, keyHash: 'hash-one', now }));
    assert.ok(!(err instanceof DatabaseUnavailableError), 'a key hash is unique');
  });

  test('sessions: valid until expiresAt (exclusive), gone once deleted or while the user is disabled; expired ones are purged', async () => {
    const t = await tenant();
    const now = Date.now();
    await store.createSession({ idHash: 'sess-old', userId: t.user.userId, expiresAt: now + 1000, now });
    await store.createSession({ idHash: 'sess-a', userId: t.user.userId, expiresAt: now + 10_000, now });
    assert.deepEqual(await store.findSession('sess-a', now + 9_999), t.user);
    assert.equal(await store.findSession('sess-a', now + 10_000), undefined, 'expired at expiresAt');
    assert.equal(await store.findSession('sess-unknown', now), undefined);

    await store.setUserDisabled(t.user.userId, true);
    assert.equal(await store.findSession('sess-a', now + 1), undefined);
    await store.setUserDisabled(t.user.userId, false);
    assert.deepEqual(await store.findSession('sess-a', now + 1), t.user);

    await store.deleteSession('sess-a');
    assert.equal(await store.findSession('sess-a', now + 1), undefined);

    assert.equal((await sql.all("SELECT 1 FROM sessions WHERE id_hash = 'sess-old'")).length, 1);
    await store.createSession({ idHash: 'sess-b', userId: t.user.userId, expiresAt: now + 20_000, now: now + 1000 });
    assert.equal((await sql.all("SELECT 1 FROM sessions WHERE id_hash = 'sess-old'")).length, 0, 'an expired session is purged when a new one starts');
    assert.deepEqual(await store.findSession('sess-b', now + 1000), t.user);
  });
});

describe('sign-in attempts', () => {
  const policy = { windowMs: 60_000, threshold: 3, maxBlockMs: 5_000 };

  test('the threshold-th attempt in the window blocks the key; each one after blocks it twice as long, up to maxBlockMs', async () => {
    const key = `ip:${randomUUID()}`;
    const t = 1_000_000;
    for (let i = 0; i < 3; i++) assert.deepEqual(await store.beginAuthAttempt(key, t + i, policy), { allowed: true });
    assert.deepEqual(await store.beginAuthAttempt(key, t + 3, policy), { allowed: false, retryAfterMs: 999 });
    assert.deepEqual(await store.beginAuthAttempt(key, t + 1001, policy), { allowed: false, retryAfterMs: 1 });
    assert.deepEqual(await store.beginAuthAttempt(key, t + 1002, policy), { allowed: true }, 'allowed once the block ends');
    assert.deepEqual(await store.beginAuthAttempt(key, t + 1003, policy), { allowed: false, retryAfterMs: 1999 });
    assert.deepEqual(await store.beginAuthAttempt(key, t + 3002, policy), { allowed: true });
    assert.deepEqual(await store.beginAuthAttempt(key, t + 3002, policy), { allowed: false, retryAfterMs: 4000 });
    assert.deepEqual(await store.beginAuthAttempt(key, t + 7002, policy), { allowed: true });
    assert.deepEqual(await store.beginAuthAttempt(key, t + 7002, policy), { allowed: false, retryAfterMs: 5000 }, 'capped at maxBlockMs');
    assert.deepEqual(await store.beginAuthAttempt(`ip:${randomUUID()}`, t + 7002, policy), { allowed: true }, 'keys are counted apart');
  });

  test('attempts older than the window no longer count', async () => {
    const key = `user:${randomUUID()}`;
    const t = 2_000_000;
    const short = { ...policy, windowMs: 1000 };
    await store.beginAuthAttempt(key, t, short);
    await store.beginAuthAttempt(key, t + 1, short);
    // the window has passed: this one starts a new count, so two more go through before the block
    assert.deepEqual(await store.beginAuthAttempt(key, t + 1001, short), { allowed: true });
    assert.deepEqual(await store.beginAuthAttempt(key, t + 1002, short), { allowed: true });
    assert.deepEqual(await store.beginAuthAttempt(key, t + 1003, short), { allowed: true });
    assert.deepEqual(await store.beginAuthAttempt(key, t + 1004, short), { allowed: false, retryAfterMs: 999 });
  });

  test('a refund takes one attempt back (lifting a block below the threshold); forgetting clears the count', async () => {
    const key = `user:${randomUUID()}`;
    const t = 3_000_000;
    for (let i = 0; i < 3; i++) await store.beginAuthAttempt(key, t + i, policy);
    assert.equal((await store.beginAuthAttempt(key, t + 3, policy)).allowed, false);
    await store.refundAuthAttempt(key, false, policy.threshold);
    assert.deepEqual(await store.beginAuthAttempt(key, t + 4, policy), { allowed: true }, 'two attempts left, no block');
    assert.deepEqual(await store.beginAuthAttempt(key, t + 5, policy), { allowed: false, retryAfterMs: 999 }, 'that one was the third again');

    await store.refundAuthAttempt(key, true, policy.threshold);
    for (let i = 0; i < 3; i++) assert.deepEqual(await store.beginAuthAttempt(key, t + 6 + i, policy), { allowed: true });
    assert.equal((await store.beginAuthAttempt(key, t + 9, policy)).allowed, false);
  });

  test('attempts made in parallel are each counted: exactly threshold of them are allowed', async () => {
    const key = `ip:${randomUUID()}`;
    const p = { windowMs: 60_000, threshold: 5, maxBlockMs: 60_000 };
    const others = onPostgres ? [await another(), await another()] : [store];
    const stores = [store, ...others];
    const outcomes = await Promise.all(Array.from({ length: 24 }, (_, i) => stores[i % stores.length].beginAuthAttempt(key, 4_000_000, p)));
    assert.equal(outcomes.filter((o) => o.allowed).length, 5);
    assert.ok(outcomes.every((o) => o.allowed || o.retryAfterMs === 1000));
  });
});

describe('forms', () => {
  test('a new form is Active, revision 1, with ids of its own; forms are listed per organisation; a name is unique within one', async () => {
    const t1 = await tenant();
    const t2 = await tenant();
    const f = await store.createForm({ orgId: t1.org.id, name: 'Audit', numberPrefix: 'AUD', owner: 'Quality', now: Date.now() });
    assert.equal(f.orgId, t1.org.id);
    assert.equal(f.name, 'Audit');
    assert.equal(f.numberPrefix, 'AUD');
    assert.equal(f.owner, 'Quality');
    assert.equal(f.revision, 1);
    assert.equal(f.status, 'Active');
    assert.match(f.formId, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.match(f.formRevisionId, /^[0-9a-f-]{36}$/);
    assert.notEqual(f.formId, t1.occ.formId);
    assert.equal(t1.occ.owner, null);
    assert.deepEqual(await store.listForms(t1.org.id), [t1.occ, t1.haz, f]);
    assert.deepEqual(await store.listForms(t2.org.id), [t2.occ, t2.haz]);

    await store.setFormStatus(f.pk, 'Inactive');
    await store.setFormStatus(t1.haz.pk, 'Draft');
    assert.deepEqual((await store.listForms(t1.org.id)).map((x) => x.status), ['Active', 'Draft', 'Inactive']);
    assert.deepEqual((await store.listForms(t2.org.id)).map((x) => x.status), ['Active', 'Active']);

    const err = await rejection(store.createForm({ orgId: t1.org.id, name: 'AUDIT', numberPrefix: 'AU2', now: Date.now() }));
    assert.ok(!(err instanceof DatabaseUnavailableError));
    const same = await store.createForm({ orgId: t2.org.id, name: 'Audit', numberPrefix: 'AUD', now: Date.now() });
    assert.equal(same.name, 'Audit', 'another organisation may use the name');
  });
});

describe('the import lifecycle', () => {
  test('a Receiving import is invisible: no status, no job, no readable fields, until it is accepted', async () => {
    const t = await tenant();
    const r = await receive(t, [report(t.occ), report(t.occ)]);
    assert.deepEqual(await rowsOf(r.pk), { reports: 2, fields: 2 }, 'staged');
    assert.equal(await store.importStatus(t.org.id, r.importId), undefined);
    assert.equal(await store.nextImportJob(Date.now()), undefined);
    const [{ fieldId }] = await sql.all<{ fieldId: string }>(
      'SELECT rf.field_id AS "fieldId" FROM report_fields rf JOIN reports r ON r.id = rf.report_pk WHERE r.import_pk = ?', r.pk);
    assert.equal(await store.findReportField(t.org.id, fieldId), undefined);
    assert.equal(await store.updateReportField({ orgId: t.org.id, fieldId, answer: { value: 'x', values: null }, userId: t.user.userId, now: Date.now() }), false);
    assert.deepEqual(await store.createNextReports(jobOf(t, r), 10, Date.now()), { created: 0, done: true }, 'a job for it numbers nothing');
    assert.equal(await waitingOf(r.pk), 2);

    assert.deepEqual(await accept(t, r), { duplicates: [], total: 2, status: 'Queued' });
    assert.deepEqual(await statusOf(t, r), { status: 'Queued', total: 2, imported: 0, errorCode: null, errorMessage: null, reports: [] });
    assert.equal(await store.findReportField(t.org.id, fieldId), undefined, 'still waiting for a number');
    await number(t, r, 10);
    assert.deepEqual(await store.findReportField(t.org.id, fieldId), { fieldType: 'TextBox', value: r.reports[0].fields[0].value, values: null });
  });

  test('the worker numbers in batches: Importing until the last, then Completed, with the pairs in file order', async () => {
    const t = await tenant();
    const r = await imported(t, range(1, 5).map(() => report(t.occ)));
    const job = (await store.nextImportJob(Date.now()))!;
    assert.deepEqual(job, jobOf(t, r));

    assert.deepEqual(await store.createNextReports(job, 2, Date.now()), { created: 2, done: false });
    const mid = await statusOf(t, r);
    assert.equal(mid.status, 'Importing');
    assert.equal(mid.imported, 2);
    assert.deepEqual(mid.reports, [[r.reports[0].id, 'OCC-0001'], [r.reports[1].id, 'OCC-0002']]);
    assert.deepEqual(await store.nextImportJob(Date.now()), job, 'an Importing import is still work');

    assert.deepEqual(await store.createNextReports(job, 2, Date.now()), { created: 2, done: false });
    assert.deepEqual(await store.createNextReports(job, 2, Date.now()), { created: 1, done: true });
    assert.deepEqual(await statusOf(t, r), {
      status: 'Completed', total: 5, imported: 5, errorCode: null, errorMessage: null,
      reports: r.reports.map((x, i) => [x.id, num('OCC', i + 1)]),
    });
    assert.equal(await waitingOf(r.pk), 0);
    assert.equal(await store.nextImportJob(Date.now()), undefined);
  });

  test('a batch that takes exactly the last reports says it is done', async () => {
    const t = await tenant();
    const r = await imported(t, range(1, 4).map(() => report(t.occ)));
    assert.deepEqual(await number(t, r, 2), [{ created: 2, done: false }, { created: 2, done: true }]);
    assert.equal((await statusOf(t, r)).status, 'Completed');
  });

  test('numbers run 1..n per form in file order, with no gap or repeat across batches, imports and organisations', async () => {
    const t = await tenant();
    const forms = [t.occ, t.haz, t.haz, t.occ, t.occ, t.haz, t.occ, t.haz, t.haz, t.occ, t.occ];
    const first = await imported(t, forms.map((f) => report(f)));
    await number(t, first, 3);
    const expected = (reports: ReportRecord[], start: { OCC: number; HAZ: number }) => {
      const next = { ...start };
      return reports.map((x) => {
        const prefix = x.form === t.occ.pk ? 'OCC' : 'HAZ';
        return [x.id, num(prefix, next[prefix]++)];
      });
    };
    assert.deepEqual((await statusOf(t, first)).reports, expected(first.reports, { OCC: 1, HAZ: 1 }));

    // the next import continues each form's counter
    const second = await imported(t, [t.haz, t.occ, t.haz, t.haz].map((f) => report(f)));
    await number(t, second, 1);
    assert.deepEqual((await statusOf(t, second)).reports, expected(second.reports, { OCC: 7, HAZ: 6 }));
    assert.deepEqual(await seqsOf(t.occ), range(1, 7));
    assert.deepEqual(await seqsOf(t.haz), range(1, 8));

    // forms are counted apart, also between organisations using the same prefix
    const u = await tenant();
    const third = await imported(u, [report(u.occ), report(u.occ)]);
    await number(u, third, 5);
    assert.deepEqual((await statusOf(u, third)).reports.map(([, n]) => n), ['OCC-0001', 'OCC-0002']);
    assert.deepEqual(await seqsOf(u.haz), []);
  });

  test('overlapping stageReports calls keep call order: the reports of each call follow those of earlier calls', async () => {
    const t = await tenant();
    const importId = randomUUID();
    const pk = await store.beginImport({ orgId: t.org.id, userId: t.user.userId, importId, filename: 'f.xml', now: Date.now() });
    const batches = [range(1, 40), range(1, 3), range(1, 25), range(1, 1)].map((b) => b.map(() => report(t.occ)));
    await Promise.all(batches.map((b) => store.stageReports(pk, t.org.id, b)));
    const all = batches.flat();
    const r = { pk, importId, reports: all };
    assert.equal((await accept(t, r)).total, all.length);
    await number(t, r, 16);
    assert.deepEqual((await statusOf(t, r)).reports, all.map((x, i) => [x.id, num('OCC', i + 1)]));
  });

  test('staging keeps fields in order, sections sharing an id within a report, repeater rows under their field, and one bank id per label and type', async () => {
    const t = await tenant();
    const u = await tenant();
    const fields: FieldRecord[] = [
      { label: 'Where', type: 'TextBox', section: 'Site', value: 'Apron' },
      { label: 'Kinds', type: 'CheckList', section: 'Site', values: ['Bird', 'Drone'] },
      { label: 'Crew', type: 'SectionRepeater', rows: [[{ label: 'Name', type: 'TextBox', value: 'Ann' }], [{ label: 'Name', type: 'TextBox', value: 'Ben' }]] },
      { label: 'WHERE', type: 'TextArea', value: 'text area, another bank field' },
    ];
    const a = await imported(t, [report(t.occ, { fields }), report(t.occ, { fields: [{ label: 'where', type: 'TextBox', section: 'Site', value: 'Gate' }] })]);
    const b = await imported(u, [report(u.occ, { fields: [{ label: 'Where', type: 'TextBox', value: 'Elsewhere' }] })]);
    await number(t, a, 10);
    await number(u, b, 10);
    type Row = { fieldId: string; reportId: string; parent: string | null; rowIndex: number | null; position: number; label: string; sectionId: string | null; bank: number; value: string | null };
    const rows = await sql.all<Row>(`SELECT rf.field_id AS "fieldId", r.report_id AS "reportId", rf.parent_field_id AS parent, rf.row_index AS "rowIndex",
      rf.position, rf.label, rf.section_id AS "sectionId", rf.bank_pk AS bank, rf.value FROM report_fields rf JOIN reports r ON r.id = rf.report_pk
      WHERE r.import_pk IN (?, ?) ORDER BY rf.id`, a.pk, b.pk);
    const [where, kinds, crew, ann, ben, whereArea, gate, elsewhere] = rows;
    assert.deepEqual(rows.map((x) => [x.label, x.position, x.value]), [
      ['Where', 0, 'Apron'], ['Kinds', 1, null], ['Crew', 2, null], ['Name', 0, 'Ann'], ['Name', 0, 'Ben'], ['WHERE', 3, 'text area, another bank field'],
      ['where', 0, 'Gate'], ['Where', 0, 'Elsewhere'],
    ]);
    assert.deepEqual([ann.parent, ann.rowIndex, ben.parent, ben.rowIndex], [crew.fieldId, 0, crew.fieldId, 1]);
    assert.equal(where.parent, null);
    assert.ok(where.sectionId && where.sectionId === kinds.sectionId, 'one section, one id');
    assert.ok(gate.sectionId && gate.sectionId !== where.sectionId, 'section ids are per report');
    assert.equal(crew.sectionId, null);
    assert.equal(ann.bank, ben.bank);
    assert.equal(where.bank, gate.bank, 'labels are the same field in any letter case');
    assert.notEqual(where.bank, whereArea.bank, 'but not of another type');
    assert.notEqual(where.bank, elsewhere.bank, 'nor in another organisation');
    assert.deepEqual(await store.findReportField(t.org.id, kinds.fieldId), { fieldType: 'CheckList', value: null, values: ['Bird', 'Drone'] });
  });

  test('a staged batch that fails leaves nothing of itself, and its new labels still get bank ids afterwards', async () => {
    const t = await tenant();
    const r = await receive(t, [report(t.occ)]);
    const label = `Fresh ${randomUUID()}`;
    const bad = [report(t.occ, { fields: [{ label, type: 'TextBox', value: 'a' }] }), report(t.occ, { form: 2_000_000_000 })];
    const err = await rejection(store.stageReports(r.pk, t.org.id, bad));
    assert.ok(!(err instanceof DatabaseUnavailableError), 'a report of no form is the request, not the database');
    assert.deepEqual(await rowsOf(r.pk), { reports: 1, fields: 1 });

    const good = [report(t.occ, { fields: [{ label, type: 'TextBox', value: 'b' }] })];
    await store.stageReports(r.pk, t.org.id, good);
    const bank = await sql.get<{ n: number }>(`SELECT count(*) AS n FROM report_fields rf JOIN field_bank b ON b.id = rf.bank_pk
      WHERE rf.label = ? AND b.org_id = ?`, label, t.org.id);
    assert.equal(bank!.n, 1, 'the field points at a bank row that exists');
    const all = { ...r, reports: [...r.reports, ...good] };
    assert.equal((await accept(t, all)).total, 2);
    await number(t, all, 10);
    assert.deepEqual((await statusOf(t, all)).reports.map(([id]) => id), all.reports.map((x) => x.id));
  });

  test('a report id is claimed once per organisation: a later import gets it as a duplicate and its waiting copy goes', async () => {
    const t = await tenant();
    const [x, y, z] = [report(t.occ), report(t.occ), report(t.occ)];
    // both files are received side by side; the first accepted claims the shared id
    const a = await receive(t, [x, y]);
    const b = await receive(t, [{ ...y, summary: 'second copy' }, z]);
    assert.deepEqual(await accept(t, a), { duplicates: [], total: 2, status: 'Queued' });
    assert.deepEqual(await accept(t, b), { duplicates: [y.id], total: 1, status: 'Queued' });
    assert.deepEqual(await rowsOf(b.pk), { reports: 1, fields: 1 }, "the duplicate's waiting copy and its fields are gone");
    await number(t, a, 10);
    await number(t, b, 10);
    assert.deepEqual((await statusOf(t, a)).reports.map(([id]) => id), [x.id, y.id]);
    assert.deepEqual(await statusOf(t, b), { status: 'Completed', total: 1, imported: 1, errorCode: null, errorMessage: null, reports: [[z.id, 'OCC-0003']] });
    const copies = await sql.all<{ summary: string }>('SELECT summary FROM reports WHERE report_id = ?', y.id);
    assert.deepEqual(copies.map((c) => c.summary), [y.summary]);

    // already numbered: still a duplicate
    const c = await receive(t, [x, report(t.occ)]);
    assert.deepEqual((await accept(t, c)).duplicates, [x.id]);
    await number(t, c, 10);
    assert.deepEqual(await seqsOf(t.occ), range(1, 4));
  });

  test('the same report id in another organisation is no duplicate', async () => {
    const t = await tenant();
    const u = await tenant();
    const shared = [report(t.occ), report(t.occ)];
    const a = await imported(t, shared);
    const b = await receive(u, shared.map((s) => ({ ...s, form: u.occ.pk })));
    assert.deepEqual(await accept(u, b), { duplicates: [], total: 2, status: 'Queued' });
    await number(t, a, 10);
    await number(u, b, 10);
    assert.deepEqual((await statusOf(t, a)).reports, (await statusOf(u, b)).reports, 'the same ids and numbers, each in its own organisation');
    assert.equal(await store.importStatus(u.org.id, a.importId), undefined, "another organisation's import is not found");
    assert.equal(await store.importStatus(t.org.id, randomUUID()), undefined);
  });

  test('imports accepted at the same time claim each shared id exactly once', async () => {
    const t = await tenant();
    const ids = range(1, 30).map(() => report(t.occ));
    const s2 = onPostgres ? await another() : store;
    const s3 = onPostgres ? await another() : store;
    const files = [ids.slice(0, 20), ids.slice(10, 30), [...ids.slice(5, 25)].reverse()];
    const received = [await receive(t, files[0], store), await receive(t, files[1], s2), await receive(t, files[2], s3)];
    const results = await Promise.all([accept(t, received[0], store), accept(t, received[1], s2), accept(t, received[2], s3)]);
    const claimed = results.flatMap((res, i) => files[i].map((f) => f.id).filter((id) => !res.duplicates.includes(id)));
    assert.equal(claimed.length, 30, 'every id claimed');
    assert.equal(new Set(claimed).size, 30, 'none claimed twice');
    assert.equal(results.reduce((n, res) => n + res.total, 0), 30);
    for (let i = 0; i < 3; i++) assert.equal(results[i].total + results[i].duplicates.length, files[i].length);
    for (let i = 0; i < 3; i++) assert.equal((await rowsOf(received[i].pk)).reports, results[i].total);
    for (;;) {
      const job = await store.nextImportJob(Date.now());
      if (!job) break;
      while (!(await store.createNextReports(job, 7, Date.now())).done);
    }
    assert.deepEqual(await seqsOf(t.occ), range(1, 30));
    assert.equal((await sql.get<{ n: number }>('SELECT count(DISTINCT report_id) AS n FROM reports WHERE form_pk = ? AND number IS NOT NULL', t.occ.pk))!.n, 30);
  });

  test('a file of duplicates only is Completed at once, with nothing to do', async () => {
    const t = await tenant();
    const a = await imported(t, [report(t.occ)]);
    await number(t, a, 10);
    const b = await receive(t, a.reports);
    assert.deepEqual(await accept(t, b), { duplicates: [a.reports[0].id], total: 0, status: 'Completed' });
    assert.deepEqual(await statusOf(t, b), { status: 'Completed', total: 0, imported: 0, errorCode: null, errorMessage: null, reports: [] });
    assert.equal(await store.nextImportJob(Date.now()), undefined);
    assert.deepEqual(await rowsOf(b.pk), { reports: 0, fields: 0 });
  });

  test('an import is accepted once: accepting it again fails and claims nothing', async () => {
    const t = await tenant();
    const a = await imported(t, [report(t.occ)]);
    const fresh = report(t.occ);
    const err = await rejection(store.acceptImport({ importPk: a.pk, orgId: t.org.id, reportIds: [a.reports[0].id, fresh.id], now: Date.now() }));
    assert.ok(!(err instanceof DatabaseUnavailableError));
    assert.deepEqual(await statusOf(t, a), { status: 'Queued', total: 1, imported: 0, errorCode: null, errorMessage: null, reports: [] });
    const b = await receive(t, [fresh]);
    assert.deepEqual((await accept(t, b)).duplicates, [], 'the failed accept left no claim behind');
  });

  test('discardImport removes a Receiving import and its staged reports, and frees its ids', async () => {
    const t = await tenant();
    const reports = [report(t.occ), report(t.occ, { fields: [{ label: 'A', type: 'TextBox', value: '1' }, { label: 'B', type: 'TextBox', value: '2' }] })];
    const a = await receive(t, reports);
    assert.deepEqual(await rowsOf(a.pk), { reports: 2, fields: 3 });
    await store.discardImport(a.pk);
    assert.deepEqual(await rowsOf(a.pk), { reports: 0, fields: 0 });
    assert.equal((await sql.all('SELECT 1 FROM imports WHERE id = ?', a.pk)).length, 0);
    assert.equal(await store.importStatus(t.org.id, a.importId), undefined);
    await rejection(store.acceptImport({ importPk: a.pk, orgId: t.org.id, reportIds: reports.map((x) => x.id), now: Date.now() }));

    const b = await receive(t, reports);
    assert.deepEqual(await accept(t, b), { duplicates: [], total: 2, status: 'Queued' });
    await number(t, b, 10);
    assert.deepEqual((await statusOf(t, b)).reports.map(([, n]) => n), ['OCC-0001', 'OCC-0002']);
  });

  test('discardImport leaves an import that was already accepted alone', async () => {
    const t = await tenant();
    const a = await imported(t, range(1, 3).map(() => report(t.occ)));
    await store.discardImport(a.pk);
    assert.deepEqual(await rowsOf(a.pk), { reports: 3, fields: 3 }, 'its waiting reports stay');
    assert.equal((await statusOf(t, a)).status, 'Queued');
    await number(t, a, 2);
    assert.deepEqual(await statusOf(t, a), {
      status: 'Completed', total: 3, imported: 3, errorCode: null, errorMessage: null, reports: a.reports.map((x, i) => [x.id, num('OCC', i + 1)]),
    });
  });

  test('discardAbandonedImports removes files a stopped process was receiving (past its lease), never its own, once', async () => {
    const t = await tenant();
    const other = await another();
    const left = await receive(t, [report(t.occ), report(t.occ)], other);
    await other.close();
    extra.splice(extra.indexOf(other), 1);

    if (onPostgres) {
      // the stopped process's lease has not run out yet: it might still be alive
      assert.equal(await store.discardAbandonedImports(Date.now()), 0);
      assert.deepEqual(await rowsOf(left.pk), { reports: 2, fields: 2 });
    }
    const later = Date.now() + 10 * 60_000;
    const sweeper = await another();
    const removed = await Promise.all([store.discardAbandonedImports(later), sweeper.discardAbandonedImports(later)]);
    assert.equal(removed[0] + removed[1], 1, 'the abandoned import is removed once, whoever sweeps');
    assert.deepEqual(await rowsOf(left.pk), { reports: 0, fields: 0 });
    assert.equal((await sql.all('SELECT 1 FROM imports WHERE id = ?', left.pk)).length, 0);
    assert.equal(await store.discardAbandonedImports(later), 0);

    // a file this store is still receiving is not abandoned, however late the sweep
    const mine = await receive(t, [report(t.occ)]);
    assert.equal(await store.discardAbandonedImports(later), 0);
    assert.deepEqual(await rowsOf(mine.pk), { reports: 1, fields: 1 });
    assert.deepEqual(await accept(t, mine), { duplicates: [], total: 1, status: 'Queued' });
    const again = await receive(t, left.reports);
    assert.deepEqual((await accept(t, again)).duplicates, [], 'the abandoned ids were never claimed');
    await number(t, mine, 10);
    await number(t, again, 10);
  });

  test('discardAbandonedImports also removes reports of finished imports still waiting for a number', async () => {
    const t = await tenant();
    // accepted with none of its staged ids: finished at once, its staged reports left waiting
    const a = await receive(t, [report(t.occ), report(t.occ)]);
    assert.deepEqual(await store.acceptImport({ importPk: a.pk, orgId: t.org.id, reportIds: [], now: Date.now() }), { duplicates: [], total: 0, status: 'Completed' });
    assert.equal(await waitingOf(a.pk), 2);
    assert.equal(await store.discardAbandonedImports(Date.now()), 0, 'no import is removed');
    assert.deepEqual(await rowsOf(a.pk), { reports: 0, fields: 0 });
    assert.equal((await statusOf(t, a)).status, 'Completed');
  });

  test('dropWaitingReports removes only the waiting reports; the import then ends ImportIncomplete', async () => {
    const t = await tenant();
    const a = await imported(t, range(1, 5).map(() => report(t.occ)));
    const job = (await store.nextImportJob(Date.now()))!;
    await store.createNextReports(job, 2, Date.now());
    await store.dropWaitingReports(a.pk);
    assert.deepEqual(await rowsOf(a.pk), { reports: 2, fields: 2 });
    assert.deepEqual(await store.createNextReports(job, 2, Date.now()), { created: 0, done: true });
    assert.deepEqual(await statusOf(t, a), {
      status: 'Failed', total: 5, imported: 2, errorCode: 'ImportIncomplete', errorMessage: 'Created 2 of 5 reports',
      reports: a.reports.slice(0, 2).map((x, i) => [x.id, num('OCC', i + 1)]),
    });
    assert.equal(await store.nextImportJob(Date.now()), undefined);
  });

  test('recordImportAttempt counts failures in a row; a batch that goes through starts the count again', async () => {
    const t = await tenant();
    const a = await imported(t, range(1, 3).map(() => report(t.occ)));
    assert.equal(await store.recordImportAttempt(a.pk), 1);
    assert.equal(await store.recordImportAttempt(a.pk), 2);
    assert.equal(await store.recordImportAttempt(a.pk), 3);
    const job = (await store.nextImportJob(Date.now()))!;
    await store.createNextReports(job, 1, Date.now());
    assert.equal(await store.recordImportAttempt(a.pk), 1);
    await number(t, a, 10);
  });

  test('failImport ends the import with its reason, drops its waiting reports and frees the ids it never created', async () => {
    const t = await tenant();
    const a = await imported(t, range(1, 5).map(() => report(t.occ)));
    const job = (await store.nextImportJob(Date.now()))!;
    await store.createNextReports(job, 2, Date.now());
    await store.failImport(a.pk, 'ImportFailed', 'The import stopped after 3 failed attempts: boom', Date.now());
    const created = a.reports.slice(0, 2).map((x, i) => [x.id, num('OCC', i + 1)]);
    const failed = { status: 'Failed', total: 5, imported: 2, errorCode: 'ImportFailed', errorMessage: 'The import stopped after 3 failed attempts: boom', reports: created };
    assert.deepEqual(await statusOf(t, a), failed);
    assert.deepEqual(await rowsOf(a.pk), { reports: 2, fields: 2 });
    assert.equal(await store.nextImportJob(Date.now()), undefined);

    // a worker still holding the job afterwards changes nothing
    assert.deepEqual(await store.createNextReports(job, 2, Date.now()), { created: 0, done: true });
    assert.deepEqual(await statusOf(t, a), failed);

    const b = await receive(t, a.reports);
    assert.deepEqual(await accept(t, b), { duplicates: a.reports.slice(0, 2).map((x) => x.id), total: 3, status: 'Queued' });
    await number(t, b, 10);
    assert.deepEqual((await statusOf(t, b)).reports, a.reports.slice(2).map((x, i) => [x.id, num('OCC', i + 3)]));
    assert.deepEqual(await seqsOf(t.occ), range(1, 5));
  });

  test('nextImportJob gives the oldest import with work left, skipping Receiving and finished ones', async () => {
    const t = await tenant();
    const receiving = await receive(t, [report(t.occ)]);
    const done = await imported(t, [report(t.occ)]);
    await number(t, done, 10);
    const first = await imported(t, [report(t.occ), report(t.occ)]);
    const second = await imported(t, [report(t.haz)]);
    const job = await store.nextImportJob(Date.now());
    assert.deepEqual(job, jobOf(t, first));
    await store.createNextReports(job!, 1, Date.now());
    assert.deepEqual(await store.nextImportJob(Date.now()), jobOf(t, first), 'still the oldest while Importing');
    await store.createNextReports(job!, 1, Date.now());
    assert.deepEqual(await store.nextImportJob(Date.now()), jobOf(t, second));
    await number(t, second, 10);
    assert.equal(await store.nextImportJob(Date.now()), undefined);
    await store.discardImport(receiving.pk);
  });

  test('importStatus is one snapshot: the pairs always match the counters while the worker commits', async () => {
    const t = await tenant();
    const a = await imported(t, range(1, 120).map((i) => report(i % 3 ? t.occ : t.haz)));
    const reader = await another();
    const job = (await store.nextImportJob(Date.now()))!;
    let finished = false;
    const numbering = (async () => {
      try {
        while (!(await store.createNextReports(job, 4, Date.now())).done);
      } finally {
        finished = true;
      }
    })();
    const snapshots: Array<Awaited<ReturnType<Store['importStatus']>>> = [];
    // the store hands back one growing pair list per import (the status handler memoises on it):
    // what a poll saw is the list as it was when the poll returned
    const poll = async (s: Store) => {
      while (!finished) {
        const st = await s.importStatus(t.org.id, a.importId);
        snapshots.push(st && { ...st, reports: [...st.reports] });
      }
    };
    await Promise.all([numbering, poll(store), poll(reader), poll(reader)]);
    const final = await statusOf(t, a);
    assert.equal(final.status, 'Completed');
    assert.equal(final.reports.length, 120);
    assert.ok(snapshots.length > 3, `${snapshots.length} snapshots`);
    for (const s of snapshots) {
      assert.ok(s);
      assert.equal(s.reports.length, s.imported, 'as many pairs as reports counted');
      assert.deepEqual(s.reports, final.reports.slice(0, s.imported), 'the pairs are the first ones, in creation order');
      assert.equal(s.status === 'Completed', s.imported === 120);
      assert.equal(s.total, 120);
    }
    assert.deepEqual(await statusOf(t, a, reader), final);
  });

  test('importStatus gives every pair even when the status cache holds fewer than one import has', async () => {
    const t = await tenant();
    const small = await another({ statusCachePairs: 3 });
    const a = await imported(t, range(1, 7).map(() => report(t.occ)));
    const b = await imported(t, range(1, 5).map(() => report(t.haz)));
    const ja = (await small.nextImportJob(Date.now()))!;
    for (let i = 0; i < 3; i++) {
      await small.createNextReports(ja, 3, Date.now());
      assert.deepEqual((await small.importStatus(t.org.id, a.importId))!.reports, a.reports.slice(0, Math.min(7, 3 * (i + 1))).map((x, k) => [x.id, num('OCC', k + 1)]));
      assert.deepEqual((await small.importStatus(t.org.id, b.importId))!.reports, []);
    }
    await number(t, b, 2, small);
    assert.deepEqual((await small.importStatus(t.org.id, b.importId))!.reports, b.reports.map((x, k) => [x.id, num('HAZ', k + 1)]));
    assert.equal((await small.importStatus(t.org.id, a.importId))!.reports.length, 7);
  });

  test('importCounts: imports per status, and accepted reports not yet numbered', async () => {
    const t = await tenant();
    const base = await store.importCounts();
    const count = (c: typeof base, s: string) => c.byStatus[s] ?? 0;
    assert.equal(base.waitingReports, 0);

    const receiving = await receive(t, [report(t.occ)]);
    const first = await imported(t, range(1, 4).map(() => report(t.occ)));
    const second = await imported(t, range(1, 6).map(() => report(t.occ)));
    const third = await imported(t, range(1, 3).map(() => report(t.haz)));
    await number(t, first, 10);
    const job = (await store.nextImportJob(Date.now()))!;
    assert.deepEqual(job, jobOf(t, second));
    await store.createNextReports(job, 2, Date.now());
    const c = await store.importCounts();
    assert.equal(count(c, 'Receiving') - count(base, 'Receiving'), 1);
    assert.equal(count(c, 'Completed') - count(base, 'Completed'), 1);
    assert.equal(count(c, 'Importing') - count(base, 'Importing'), 1);
    assert.equal(count(c, 'Queued') - count(base, 'Queued'), 1);
    assert.equal(c.waitingReports, 4 + 3, 'four of the Importing one, three of the Queued one');

    while (!(await store.createNextReports(job, 10, Date.now())).done);
    await number(t, third, 10);
    await store.discardImport(receiving.pk);
    const end = await store.importCounts();
    assert.equal(count(end, 'Completed') - count(base, 'Completed'), 3);
    assert.equal(count(end, 'Receiving'), count(base, 'Receiving'));
    assert.equal(count(end, 'Importing'), count(base, 'Importing'));
    assert.equal(end.waitingReports, 0);
  });

  test('pendingMigrations is 0 on a migrated database, and a closed store does not answer', async () => {
    assert.equal(await store.pendingMigrations(), 0);
    const s = await openStore(database.url);
    assert.equal(await s.pendingMigrations(), 0, 'opening again applies nothing');
    await s.close();
    await rejection(s.pendingMigrations());
  });
});

describe('several stores on one database', () => {
  test('sharedUrl opens the same database from elsewhere', async () => {
    assert.ok(store.sharedUrl);
    const t = await tenant();
    const twin = await another();
    const other = await openStore(store.sharedUrl);
    extra.push(other);
    assert.deepEqual(await other.findOrganisation(t.org.name), t.org);
    assert.deepEqual(await other.listForms(t.org.id), await twin.listForms(t.org.id));
    if (!onPostgres) {
      const memory = await openStore(':memory:');
      extra.push(memory);
      assert.equal(memory.sharedUrl, undefined, 'an in-memory database is reachable from its own connection only');
    }
  });

  test('PostgreSQL: a file being received keeps its lease renewed while its store lives; once it stops, the lease runs out', { skip: !onPostgres && 'leases are PostgreSQL only' }, async () => {
    const t = await tenant();
    const receiver = await another({ receivingLeaseMs: 300 });
    const r = await receive(t, [report(t.occ)], receiver);
    await new Promise((resolve) => setTimeout(resolve, 700));
    assert.equal(await store.discardAbandonedImports(Date.now()), 0, 'renewed while alive, however long its check takes');
    await receiver.close();
    extra.splice(extra.indexOf(receiver), 1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.equal(await store.discardAbandonedImports(Date.now()), 1);
    assert.deepEqual(await rowsOf(r.pk), { reports: 0, fields: 0 });
  });

  test('stores numbering side by side give each form 1..n once, and every report one number', async () => {
    const t = await tenant();
    const s2 = await another();
    const s3 = await another();
    const files = [range(1, 40), range(1, 25), range(1, 33)].map((f, i) => f.map((k) => report((k + i) % 2 ? t.occ : t.haz)));
    const accepted = [];
    for (const f of files) accepted.push(await imported(t, f));
    const work = async (s: Store) => {
      for (;;) {
        const job = await s.nextImportJob(Date.now());
        if (!job) return;
        await s.createNextReports(job, 5, Date.now());
      }
    };
    await Promise.all([work(store), work(s2), work(s3)]);
    const all = files.flat();
    const occ = all.filter((r) => r.form === t.occ.pk).length;
    assert.deepEqual(await seqsOf(t.occ), range(1, occ));
    assert.deepEqual(await seqsOf(t.haz), range(1, all.length - occ));
    for (const a of accepted) {
      const st = await statusOf(t, a);
      assert.equal(st.status, 'Completed');
      assert.deepEqual(st.reports.map(([id]) => id), a.reports.map((r) => r.id), 'file order within each import');
    }
    const numbers = (await sql.all<{ n: string }>('SELECT number AS n FROM reports WHERE import_pk IN (?, ?, ?)', ...accepted.map((a) => a.pk))).map((r) => r.n);
    assert.equal(new Set(numbers).size, all.length);
  });

  test('PostgreSQL: an import is worked on under a lease; released or run out, another store takes it over', { skip: !onPostgres && 'leases are PostgreSQL only' }, async () => {
    const t = await tenant();
    const lease = 60_000;
    const a = await another({ importLeaseMs: lease });
    const b = await another({ importLeaseMs: lease });
    const first = await imported(t, range(1, 6).map(() => report(t.occ)));
    const second = await imported(t, [report(t.haz)]);
    const now = Date.now();
    const ja = (await a.nextImportJob(now))!;
    assert.deepEqual(ja, jobOf(t, first));
    assert.deepEqual(await a.createNextReports(ja, 2, now), { created: 2, done: false });
    assert.deepEqual(await b.nextImportJob(now), jobOf(t, second), "b skips the import a holds");
    assert.deepEqual(await a.nextImportJob(now), ja, 'a keeps its own');

    // a stalls past its lease: b takes the import over, and a's late batch changes nothing
    const late = now + lease + 1;
    assert.deepEqual(await b.nextImportJob(late), ja);
    assert.deepEqual(await b.createNextReports(ja, 2, late), { created: 2, done: false });
    assert.deepEqual(await a.createNextReports(ja, 2, late), { created: 0, done: true });
    assert.equal((await statusOf(t, first)).imported, 4);

    // released, it is anyone's at once
    await b.releaseImportLeases();
    assert.deepEqual(await a.nextImportJob(late), ja);
    assert.deepEqual(await a.createNextReports(ja, 2, late), { created: 2, done: true });
    assert.deepEqual((await statusOf(t, first)).reports, first.reports.map((x, i) => [x.id, num('OCC', i + 1)]));
    await number(t, second, 5, a);
  });
});

describe('field updates', () => {
  async function fieldIds(importPk: number): Promise<string[]> {
    return (await sql.all<{ id: string }>('SELECT rf.field_id AS id FROM report_fields rf JOIN reports r ON r.id = rf.report_pk WHERE r.import_pk = ? ORDER BY rf.id', importPk)).map((r) => r.id);
  }

  test("a field's answer is set and its change recorded, oldest first; another organisation's fields are out of reach", async () => {
    const t = await tenant();
    const u = await tenant();
    const a = await imported(t, [report(t.occ, { fields: [{ label: 'Where', type: 'TextBox', value: 'Apron' }, { label: 'Kinds', type: 'CheckList', values: ['Bird'] }] })]);
    await number(t, a, 10);
    const [where, kinds] = await fieldIds(a.pk);
    assert.deepEqual(await store.findReportField(t.org.id, where), { fieldType: 'TextBox', value: 'Apron', values: null });
    assert.equal(await store.findReportField(u.org.id, where), undefined);
    assert.equal(await store.findReportField(t.org.id, randomUUID()), undefined);
    assert.deepEqual(await store.fieldChanges(t.org.id, where), []);

    const at = Date.now();
    assert.equal(await store.updateReportField({ orgId: t.org.id, fieldId: where, answer: { value: 'Gate 4', values: null }, userId: t.user.userId, now: at }), true);
    assert.equal(await store.updateReportField({ orgId: t.org.id, fieldId: where, answer: { value: null, values: null }, userId: t.user.userId, now: at + 5 }), true);
    assert.equal(await store.updateReportField({ orgId: t.org.id, fieldId: kinds, answer: { value: null, values: ['Drone', 'Bird'] }, userId: t.user.userId, now: at + 7 }), true);
    assert.equal(await store.updateReportField({ orgId: u.org.id, fieldId: where, answer: { value: 'hijack', values: null }, userId: u.user.userId, now: at + 9 }), false);
    assert.equal(await store.updateReportField({ orgId: t.org.id, fieldId: randomUUID(), answer: { value: 'x', values: null }, userId: t.user.userId, now: at }), false);

    assert.deepEqual(await store.findReportField(t.org.id, where), { fieldType: 'TextBox', value: null, values: null });
    assert.deepEqual(await store.findReportField(t.org.id, kinds), { fieldType: 'CheckList', value: null, values: ['Drone', 'Bird'] });
    const name = t.user.userName;
    assert.deepEqual(await store.fieldChanges(t.org.id, where), [
      { fieldId: where, userName: name, changedAt: at, old: { value: 'Apron', values: null }, new: { value: 'Gate 4', values: null } },
      { fieldId: where, userName: name, changedAt: at + 5, old: { value: 'Gate 4', values: null }, new: { value: null, values: null } },
    ]);
    assert.deepEqual(await store.fieldChanges(t.org.id, kinds), [
      { fieldId: kinds, userName: name, changedAt: at + 7, old: { value: null, values: ['Bird'] }, new: { value: null, values: ['Drone', 'Bird'] } },
    ]);
    assert.deepEqual(await store.fieldChanges(u.org.id, where), [], "another organisation sees no history");
  });

  test('updates made at once are recorded one after another: each change starts from the one before', async () => {
    const t = await tenant();
    const a = await imported(t, [report(t.occ)]);
    await number(t, a, 10);
    const [field] = await fieldIds(a.pk);
    const stores = onPostgres ? [store, await another(), await another()] : [store];
    const oks = await Promise.all(range(1, 12).map((i) => stores[i % stores.length].updateReportField({
      orgId: t.org.id, fieldId: field, answer: { value: `v${i}`, values: null }, userId: t.user.userId, now: Date.now(),
    })));
    assert.ok(oks.every(Boolean));
    const changes = await store.fieldChanges(t.org.id, field);
    assert.equal(changes.length, 12);
    assert.equal(changes[0].old.value, a.reports[0].fields[0].value);
    for (let i = 1; i < changes.length; i++) assert.equal(changes[i].old.value, changes[i - 1].new.value, 'no change is lost');
    assert.deepEqual(new Set(changes.map((c) => c.new.value)), new Set(range(1, 12).map((i) => `v${i}`)));
    assert.equal((await store.findReportField(t.org.id, field))!.value, changes[11].new.value);
  });
});

describe('a healthy database', () => {
  test('never answers DatabaseUnavailableError, even to much work at once from several stores', async () => {
    const t = await tenant();
    const stores = [store, await another(), await another()];
    const calls: Array<Promise<unknown>> = [];
    for (let i = 0; i < 6; i++) {
      const s = stores[i % stores.length];
      calls.push((async () => {
        const r = await imported(t, range(1, 15).map(() => report(i % 2 ? t.occ : t.haz)), s);
        for (;;) {
          const job = await s.nextImportJob(Date.now());
          if (!job) break;
          await s.createNextReports(job, 4, Date.now());
        }
        return s.importStatus(t.org.id, r.importId);
      })());
      calls.push(s.beginAuthAttempt(`healthy:${i % 2}`, Date.now(), { windowMs: 1000, threshold: 100, maxBlockMs: 1000 }));
      calls.push(s.createSession({ idHash: `healthy-${i}`, userId: t.user.userId, expiresAt: Date.now() + 60_000, now: Date.now() }));
      calls.push(s.findSession(`healthy-${i}`, Date.now()));
      calls.push(s.importCounts());
      calls.push(s.listForms(t.org.id));
      // on SQLite every other store's file looks abandoned to a sweep: there it runs in one process only
      if (onPostgres) calls.push(s.discardAbandonedImports(Date.now()));
    }
    const outcomes = await Promise.allSettled(calls);
    const failures = outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason);
    assert.deepEqual(failures, []);
    assert.deepEqual(await seqsOf(t.occ), range(1, 45));
    assert.deepEqual(await seqsOf(t.haz), range(1, 45));
  });
});
