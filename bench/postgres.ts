/**
 * `npm run bench -- --pg`: the import on PostgreSQL, each step on a fresh database of the server at
 * BENCH_DATABASE_URL (default: TEST_DATABASE_URL, or postgres://postgres@127.0.0.1:5432/postgres).
 *
 * 1. One service process (built, as `npm start` runs it): POST the file, poll until Completed.
 * 2. Baseline in the same run: a bare COPY of the same rows (reports and fields) into the same schema.
 * 3. Two service processes on one database, each sent its own file at the same moment: the combined rate.
 * Results are printed and written to bench/out/results-pg.json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, totalmem } from 'node:os';
import { startService, type ServiceProcess } from '../test/support/process.ts';
import { createPostgresDatabase } from '../test/support/database.ts';
import { apiKey, fmt, generate, importFile, outDir, peakRssMb, runScript } from './support.ts';

const serverUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

const freshDatabase = () => createPostgresDatabase(serverUrl, 'coruson_bench');

async function services(url: string, n: number): Promise<ServiceProcess[]> {
  const env = { DATABASE_URL: url, CORUSON_ADMIN_API_KEY: apiKey, CORUSON_ADMIN_PASSWORD: 'bench password' };
  // the first start creates the administrator the others share
  const first = await startService(env, { built: true });
  const rest = await Promise.all(Array.from({ length: n - 1 }, () => startService(env, { built: true })));
  return [first, ...rest];
}

export async function postgresBench(reports: number): Promise<void> {
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, ${fmt(totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}; PostgreSQL at ${serverUrl}`);
  const files = [await generate(reports, 1), await generate(reports, 3)];

  // -- one process
  const one = await freshDatabase();
  let single;
  try {
    const [svc] = await services(one.url, 1);
    const e2e = await importFile(svc.url, files[0]);
    const rss = peakRssMb(svc.child.pid!);
    await svc.stop();
    if (e2e.status.TotalReportsImported !== reports) throw new Error(`imported ${e2e.status.TotalReportsImported} of ${reports}`);
    single = { ms: e2e.ms, reportsPerSecond: reports / (e2e.ms / 1000), peakRssMb: rss };
  } finally {
    await one.drop();
  }

  // -- the baseline: a bare COPY of the same rows
  const base = await freshDatabase();
  let copy: { ms: number; rows: number };
  try {
    copy = await runScript('bench/baselines/postgres-copy.ts', [files[0], base.url]);
  } finally {
    await base.drop();
  }

  // -- two processes, two files at once
  const shared = await freshDatabase();
  let pair;
  try {
    const svcs = await services(shared.url, 2);
    const t0 = performance.now();
    const results = await Promise.all(svcs.map((svc, i) => importFile(svc.url, files[i])));
    const ms = performance.now() - t0;
    for (const svc of svcs) await svc.stop();
    for (const r of results) if (r.status.TotalReportsImported !== reports) throw new Error(`imported ${r.status.TotalReportsImported} of ${reports}`);
    pair = { ms, eachMs: results.map((r) => r.ms), reportsPerSecond: (2 * reports) / (ms / 1000) };
  } finally {
    await shared.drop();
  }

  const ratio = single.ms / copy.ms;
  console.log(`\nImport on PostgreSQL (POST → Completed), ${fmt(reports)} reports`);
  console.log(`  one process          ${fmt(single.ms).padStart(7)} ms   ${fmt(single.reportsPerSecond)} reports/s   peak RSS ${fmt(single.peakRssMb)} MB`);
  console.log(`  bare COPY            ${fmt(copy.ms).padStart(7)} ms   (${fmt(copy.rows)} rows, one transaction)`);
  console.log(`  ours / bare COPY: ${ratio.toFixed(2)}x   (target: <= 1.3x)`);
  console.log(`  two processes, two files at once: ${fmt(pair.ms)} ms, ${fmt(pair.reportsPerSecond)} reports/s combined (each: ${pair.eachMs.map((m) => fmt(m)).join(' ms, ')} ms)`);
  writeFileSync(join(outDir, 'results-pg.json'), JSON.stringify({
    date: new Date().toISOString(), reports, single, bareCopy: copy, ratioToBareCopy: ratio, twoProcesses: pair,
  }, null, 2));
}
