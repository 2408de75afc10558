import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootstrap } from '../src/admin/provisioning.ts';
import type { ReportRecord } from '../src/shared/report-record.ts';
import { openStore } from '../src/store/open-store.ts';
import type { Store } from '../src/store/store.ts';
import { createTestDatabase, sqlOf } from './support/database.ts';

const dir = mkdtempSync(join(tmpdir(), 'coruson-bank-cache-'));
const database = await createTestDatabase(dir);
const bound = 100;
const store = await openStore(database.url, { fieldBankCacheSize: bound });
after(async () => {
  await store.close();
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

const cached = (s: Store) => (s as unknown as { cachedFieldBankIds: number }).cachedFieldBankIds;

function reportsWithLabels(form: number, labels: string[]): ReportRecord[] {
  const perReport = 50;
  const out: ReportRecord[] = [];
  for (let i = 0; i < labels.length; i += perReport) {
    out.push({
      id: randomUUID(), form, summary: 'bank', status: 'New', raisedBy: 'a', raised: Date.UTC(2026, 0, 1), mandatory: false,
      fields: labels.slice(i, i + perReport).map((label) => ({ label, type: 'TextBox' as const, value: 'v' })),
    });
  }
  return out;
}

async function importLabels(orgId: number, userId: number, form: number, labels: string[]): Promise<void> {
  const importPk = await store.beginImport({ orgId, userId, importId: randomUUID(), filename: 'bank.xml', now: Date.now() });
  const records = reportsWithLabels(form, labels);
  await store.stageReports(importPk, orgId, records);
  await store.acceptImport({ importPk, orgId, reportIds: records.map((r) => r.id), now: Date.now() });
}

test('the field-bank id cache holds at most its bound, and a label it dropped still finds its bank field', async () => {
  const boot = (await bootstrap(store, { organisation: 'Bank', userName: 'admin', password: 'bank cache password', apiKey: undefined }))!;
  const user = (await store.findUser(boot.userName))!;
  const form = await store.createForm({ orgId: user.orgId, name: 'Occurrence', numberPrefix: 'OCC', now: Date.now() });
  const batches = Array.from({ length: 5 }, (_, b) => Array.from({ length: 300 }, (_, i) => `Label ${b}-${i}`));
  for (const labels of batches) {
    await importLabels(user.orgId, user.userId, form.pk, labels);
    assert.ok(cached(store) <= bound, `${cached(store)} ids cached, bound ${bound}`);
  }
  assert.equal(cached(store), bound);

  // the first batch's labels were dropped long ago: used again (in another spelling), they point at the same bank fields
  await importLabels(user.orgId, user.userId, form.pk, batches[0].map((l) => l.toUpperCase()));
  const sql = sqlOf(store);
  assert.equal((await sql.get('SELECT count(*) AS n FROM field_bank'))!.n, 5 * 300, 'no bank field created twice');
  const perBank = await sql.all<{ n: number }>('SELECT count(*) AS n FROM report_fields GROUP BY bank_pk');
  assert.equal(perBank.length, 5 * 300);
  assert.equal(perBank.filter((b) => b.n === 2).length, 300, 'the reused labels share their bank field');
  assert.equal((await sql.get('SELECT count(*) AS n FROM report_fields WHERE bank_pk IS NULL'))!.n, 0);
});
