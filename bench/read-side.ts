/**
 * The read side under a large organisation: reports loaded through the import pipeline of the
 * built service into one SQLite file (kept in bench/out and reused while it matches), then the
 * latency of GetReports and GetReportFields over HTTP, one request at a time, beside the same
 * statements run bare in-process on the same file. Prints each statement's query plan.
 *
 *   node --import tsx bench/read-side.ts [--reports 1000000] [--samples 300]
 * (also part of `npm run bench`)
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeImportFile } from '../scripts/generate-file.ts';
import { buildQuery, type BuiltQuery } from '../src/store/queries/build-query.ts';
import type { FilterValue, LookupRow, PagedQuery } from '../src/store/queries/paged-query.ts';
import { planQuery } from '../src/store/queries/query-plan.ts';
import { reportFieldsQuery } from '../src/store/queries/report-fields.ts';
import { reportsQuery } from '../src/store/queries/reports.ts';
import { sqliteMigrations } from '../src/store/sqlite/migrations.ts';
import { startService } from '../test/support/process.ts';
import { post } from './support.ts';

const apiKey = 'ck_bench_read_key_0123456789abcdef';
const perFile = 25_000;

export interface LatencyResult { p50: number; p95: number; p99: number; bareP95: number; plan: string[] }

function get(url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    request(url, { headers: { authorization: `Bearer ${apiKey}` }, agent: keepAlive }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    }).on('error', reject).end();
  });
}
const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });

async function load(url: string, dir: string, files: number, firstSeed: number): Promise<void> {
  for (let i = 0; i < files; i++) {
    const file = join(dir, `read-load-${i}.xml`);
    const stream = createWriteStream(file);
    await writeImportFile(stream, { reports: perFile, seed: firstSeed + i });
    await new Promise<void>((r) => stream.end(r));
    const body = Buffer.from(JSON.stringify({ Filename: `load-${i}.xml`, FileBytes: (await readFile(file)).toString('base64') }));
    rmSync(file);
    const t0 = performance.now();
    const res = await post(`${url}/api/reports/import`, body, { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' });
    if (res.status !== 200) throw new Error(`import refused: ${res.status} ${res.text.slice(0, 300)}`);
    const { ImportId } = JSON.parse(res.text);
    for (;;) {
      await new Promise((r) => setTimeout(r, 250));
      const st = JSON.parse((await get(`${url}/api/reports/import/status/${ImportId}`)).text);
      if (st.StatusDescription === 'Completed') break;
      if (st.StatusDescription === 'Failed') throw new Error(`import failed: ${JSON.stringify(st.ResponseStatus)}`);
    }
    process.stdout.write(`  loaded ${((i + 1) * perFile).toLocaleString('en-US')} reports (${((performance.now() - t0) / 1000).toFixed(1)} s for this file)\n`);
  }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function timeHttp(url: string, paths: string[]): Promise<{ p50: number; p95: number; p99: number }> {
  for (const p of paths.slice(0, 20)) await get(url + p);
  const times: number[] = [];
  for (const p of paths) {
    const t0 = performance.now();
    const res = await get(url + p);
    times.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`${p}: ${res.status} ${res.text.slice(0, 300)}`);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p95: percentile(times, 0.95), p99: percentile(times, 0.99) };
}

/** The statements a request runs (count, then page), bare on the same file: the floor the service stands on. */
function timeBare(db: Database.Database, built: BuiltQuery[]): number {
  const times: number[] = [];
  for (const q of built) {
    const t0 = performance.now();
    db.prepare(q.count).pluck().get(...q.countParams);
    db.prepare(q.page).all(...q.pageParams);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return percentile(times, 0.95);
}

function plan(db: Database.Database, q: BuiltQuery): string[] {
  const explain = (sql: string, params: unknown[]) =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail);
  return [...explain(q.count, q.countParams).map((d) => `count: ${d}`), ...explain(q.page, q.pageParams).map((d) => `page:  ${d}`)];
}

export async function readSideBench(opts: { reports: number; samples: number; outDir: string }): Promise<Record<string, LatencyResult> & { reports: number }> {
  const files = Math.ceil(opts.reports / perFile);
  const reports = files * perFile;
  // the file is reused only while the schema and the data it was built with match
  const schema = createHash('sha256').update(JSON.stringify(sqliteMigrations)).digest('hex').slice(0, 8);
  const dbFile = join(opts.outDir, `read-side-${reports}-${schema}.db`);
  const complete = `${dbFile}.complete`;
  if (!existsSync(complete)) for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) rmSync(f, { force: true });
  const svc = await startService({ DATABASE_URL: dbFile, CORUSON_ADMIN_API_KEY: apiKey, CORUSON_ADMIN_PASSWORD: 'bench password' }, { built: true, timeoutMs: 120_000 });
  try {
    if (!existsSync(complete)) {
      console.log(`\nRead side: loading ${reports.toLocaleString('en-US')} reports through the import pipeline into ${dbFile}`);
      const t0 = performance.now();
      await load(svc.url, opts.outDir, files, 1000);
      console.log(`  loaded in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      createWriteStream(complete).end('done\n');
    }
    const db = new Database(dbFile, { readonly: true });
    db.function('ulower', { deterministic: true }, (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v));
    const org = db.prepare('SELECT id FROM organisations ORDER BY id LIMIT 1').pluck().get() as number;
    const forms = db.prepare('SELECT id AS pk, form_id AS formId, name, number_prefix AS numberPrefix, next_seq - 1 AS last FROM forms WHERE org_id = ?').all(org) as
      Array<{ pk: number; formId: string; name: string; numberPrefix: string; last: number }>;
    const counted = db.prepare('SELECT count(*) FROM reports WHERE number IS NOT NULL').pluck().get() as number;
    const fieldRows = db.prepare('SELECT max(id) FROM report_fields').pluck().get() as number;
    const sampleIds = db.prepare('SELECT report_id FROM reports WHERE number IS NOT NULL ORDER BY random() LIMIT ?').pluck().all(opts.samples) as string[];
    console.log(`\nRead side: ${counted.toLocaleString('en-US')} reports, ${fieldRows.toLocaleString('en-US')} fields, ${(statSync(dbFile).size / 2 ** 30).toFixed(2)} GiB; ${opts.samples} requests per query, one at a time`);

    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)];
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10).replace(/-/g, '/');
    const lookups = { forms: forms as unknown as LookupRow[] };
    const built = (query: PagedQuery, values: Record<string, FilterValue>, skip = 0) => {
      const input = { orgId: org, skip, take: 100, order: [], values };
      return buildQuery(query, input, planQuery(query, input, lookups), 'sqlite');
    };
    const cases: Array<{ name: string; paths: string[]; built: BuiltQuery[] }> = [];

    const numbers = Array.from({ length: opts.samples }, () => {
      const f = pick(forms);
      return `${f.numberPrefix}-${String(1 + Math.floor(rand() * f.last)).padStart(4, '0')}`;
    });
    cases.push({
      name: 'GetReports by Number', paths: numbers.map((n) => `/api/reports?Number=${n}`),
      built: numbers.map((n) => built(reportsQuery, { Number: n })) });

    const ranges = Array.from({ length: opts.samples }, () => {
      const from = Date.UTC(2024, 0, 1) + Math.floor(rand() * 850) * 86_400_000;
      return { form: pick(forms), from, to: from + 30 * 86_400_000 };
    });
    cases.push({
      name: 'GetReports by form and a 30-day date range', paths: ranges.map((r) => `/api/reports?FormId=${r.form.formId}&StartDate=${day(r.from)}&EndDate=${day(r.to)}`),
      built: ranges.map((r) => built(reportsQuery, { FormId: r.form.formId, StartDate: { from: r.from }, EndDate: { to: r.to + 86_399_999 } })) });

    for (const status of ['Open', 'NewAndOpen'] as const) {
      cases.push({
        name: `GetReports by status ${status}, Skip 50,000`, paths: Array.from({ length: opts.samples }, () => `/api/reports?ReportStatus=${status}&Skip=50000`),
        built: Array.from({ length: Math.min(opts.samples, 50) }, () => built(reportsQuery, { ReportStatus: status }, 50_000)) });
    }

    cases.push({
      name: 'GetReportFields by ReportId', paths: sampleIds.map((id) => `/api/reports/fields?ReportId=${id}`),
      built: sampleIds.map((id) => built(reportFieldsQuery, { ReportId: id })) });

    const results: Record<string, LatencyResult> = {};
    for (const c of cases) {
      const http = await timeHttp(svc.url, c.paths);
      const bareP95 = timeBare(db, c.built);
      const p = plan(db, c.built[0]);
      results[c.name] = { ...http, bareP95, plan: p };
      console.log(`  ${c.name.padEnd(46)} p50 ${http.p50.toFixed(1).padStart(5)} ms   p95 ${http.p95.toFixed(1).padStart(5)} ms   p99 ${http.p99.toFixed(1).padStart(5)} ms   bare statements p95 ${bareP95.toFixed(1).padStart(5)} ms`);
      for (const line of p) console.log(`      ${line}`);
    }
    console.log('  (target: every p95 under 20 ms)');
    db.close();
    return { reports: counted, ...results } as Record<string, LatencyResult> & { reports: number };
  } finally {
    keepAlive.destroy();
    await svc.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { parseArgs } = await import('node:util');
  const { values } = parseArgs({ options: { reports: { type: 'string', default: '1000000' }, samples: { type: 'string', default: '300' } } });
  const outDir = fileURLToPath(new URL('./out', import.meta.url));
  mkdirSync(outDir, { recursive: true });
  await readSideBench({ reports: Number(values.reports), samples: Number(values.samples), outDir });
}
