/**
 * `npm run bench`: the import and status benchmarks, each beside baselines measured in the same run.
 *
 *   npm run bench -- [--reports 30000] [--status-reports 1000] [--duration 10] [--connections 50]
 *                    [--read-reports 1000000] [--skip-read]
 *   npm run bench -- --pg [--reports 30000]     (PostgreSQL: see bench/postgres.ts)
 *   npm run bench -- --soak [--minutes 3] [--pg] [--status-cache-pairs N] (mixed and hostile traffic: see bench/soak.ts)
 *   npm run bench -- --metrics [--duration 10]   (status route with metrics on and off: see bench/metrics.ts)
 *
 * 1. Import end to end: POST a generated file to a service process (`src/main.ts`, SQLite) and poll
 *    ImportReportsStatus until Completed; reports/s and the service's peak RSS (VmHWM). Baselines:
 *    a bare saxes parse of the file and a bare better-sqlite3 insert of its rows, each in its own process.
 * 2. ImportReportsStatus under load (autocannon, API key) for an import of --status-reports reports,
 *    beside a bare Fastify route serving the same body.
 * 3. The read side (bench/read-side.ts): GetReports and GetReportFields latency over --read-reports
 *    reports loaded through the import pipeline (kept in bench/out between runs), with query plans.
 * Results are printed and written to bench/out/results.json.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { apiKey, fmt, generate, importFile, outDir, peakRssMb, root, runScript } from './support.ts';
import { postgresBench } from './postgres.ts';
import { freePort, startService } from '../test/support/process.ts';
import { benchFormats, printFormats } from './formats.ts';
import { readSideBench } from './read-side.ts';
import { soakBench } from './soak.ts';
import { metricsBench } from './metrics.ts';

const { values } = parseArgs({
  options: {
    reports: { type: 'string', default: '30000' },
    'status-reports': { type: 'string', default: '1000' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    'skip-baselines': { type: 'boolean', default: false },
    'read-reports': { type: 'string', default: '1000000' },
    'skip-read': { type: 'boolean', default: false },
    pg: { type: 'boolean', default: false },
    soak: { type: 'boolean', default: false },
    minutes: { type: 'string', default: '3' },
    'status-cache-pairs': { type: 'string' },
    metrics: { type: 'boolean', default: false },
  },
});
const reports = Number(values.reports);
const statusReports = Number(values['status-reports']);
const duration = Number(values.duration);
const connections = Number(values.connections);

const work = mkdtempSync(join(tmpdir(), 'coruson-bench-'));

async function load(url: string, headers: Record<string, string>, req?: { method: 'POST'; body: string }): Promise<{ rps: number; p99: number; p50: number; errors: number; non2xx: number }> {
  const opts = { url, connections, headers, pipelining: 1, ...req };
  await autocannon({ ...opts, duration: 3 }); // warm-up
  const r = await autocannon({ ...opts, duration });
  return { rps: r.requests.average, p99: r.latency.p99, p50: r.latency.p50, errors: r.errors, non2xx: r.non2xx };
}

async function main() {
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, ${fmt(totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}`);
  const file = await generate(reports, 1);
  const size = readFileSync(file).length;
  console.log(`file: ${fmt(reports)} reports, ${fmt(size / 1e6, 1)} MB`);

  // -- import, end to end, with its baselines
  const skip = values['skip-baselines'];
  const saxes = skip ? { ms: NaN } : await runScript('bench/baselines/saxes-parse.ts', [file]);
  const insert = skip ? { ms: NaN, rows: NaN } : await runScript('bench/baselines/sqlite-insert.ts', [file, work]);
  // the built service, as `npm start` runs it
  const svc = await startService({ DATABASE_URL: join(work, 'service.db'), CORUSON_ADMIN_API_KEY: apiKey, CORUSON_ADMIN_PASSWORD: 'bench password' }, { built: true });
  const e2e = await importFile(svc.url, file);
  const rss = peakRssMb(svc.child.pid!);
  if (e2e.status.TotalReportsImported !== reports) throw new Error(`imported ${e2e.status.TotalReportsImported} of ${reports}`);
  const slower = Math.max(saxes.ms, insert.ms);
  const importResult = {
    reports,
    fileMb: size / 1e6,
    endToEndMs: e2e.ms,
    reportsPerSecond: reports / (e2e.ms / 1000),
    peakRssMb: rss,
    baselines: { saxesParseMs: saxes.ms, sqliteInsertMs: insert.ms, sqliteRows: insert.rows },
    ratioToSlowerBaseline: e2e.ms / slower,
    ratioToSaxes: e2e.ms / saxes.ms,
  };
  console.log('\nImport (POST → Completed)');
  console.log(`  ours                 ${fmt(e2e.ms).padStart(7)} ms   ${fmt(importResult.reportsPerSecond)} reports/s   peak RSS ${fmt(rss)} MB`);
  console.log(`  bare saxes parse     ${fmt(saxes.ms).padStart(7)} ms`);
  console.log(`  bare SQLite insert   ${fmt(insert.ms).padStart(7)} ms   (${fmt(insert.rows)} rows, one transaction)`);
  console.log(`  ours / bare saxes parse: ${importResult.ratioToSaxes.toFixed(2)}x   (target: <= 2.0x, peak RSS < 300 MB)`);
  console.log(`  ours / slower baseline: ${importResult.ratioToSlowerBaseline.toFixed(2)}x`);

  // -- status under load, beside a bare Fastify route with the same body
  // another seed: the same one would make every report a duplicate of the first import
  const small = await generate(statusReports, 2);
  const { importId } = await importFile(svc.url, small);
  const statusUrl = `${svc.url}/api/reports/import/status/${importId}`;
  const body = await (await fetch(statusUrl, { headers: { authorization: `Bearer ${apiKey}` } })).text();
  writeFileSync(join(work, 'status.json'), body);
  const ours = await load(statusUrl, { authorization: `Bearer ${apiKey}` });
  const formats = await benchFormats(svc.url, importId, apiKey, load, join(work, 'status.xml'));
  await svc.stop();

  const port = await freePort();
  const bare = spawn(process.execPath, ['--import', 'tsx', 'bench/baselines/bare-fastify.ts', join(work, 'status.json'), String(port), join(work, 'status.xml')], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((r) => bare.stdout.once('data', r));
  const baseline = await load(`http://127.0.0.1:${port}/status`, {});
  const ping = await load(`http://127.0.0.1:${port}/ping`, {});
  const bareXml = await load(`http://127.0.0.1:${port}/status.xml`, {});
  bare.kill();

  const statusResult = {
    statusReports, bodyBytes: Buffer.byteLength(body), connections, durationS: duration, ours, bareFastify: baseline, bareFastifyPing: ping,
    ratio: ours.rps / baseline.rps,
  };
  console.log(`\nImportReportsStatus, ${fmt(statusReports)}-report import (${fmt(statusResult.bodyBytes / 1024, 1)} KB body), ${connections} connections, ${duration} s`);
  console.log(`  ours                     ${fmt(ours.rps).padStart(7)} req/s   p50 ${ours.p50} ms   p99 ${ours.p99} ms   errors ${ours.errors}   non-2xx ${ours.non2xx}`);
  console.log(`  bare Fastify, same body  ${fmt(baseline.rps).padStart(7)} req/s   p50 ${baseline.p50} ms   p99 ${baseline.p99} ms`);
  console.log(`  bare Fastify, {"ok":true} ${fmt(ping.rps).padStart(6)} req/s   p50 ${ping.p50} ms   p99 ${ping.p99} ms`);
  console.log(`  ours / bare (same body): ${(statusResult.ratio * 100).toFixed(0)}%   (target: >= 50%);  ours / trivial route: ${((ours.rps / ping.rps) * 100).toFixed(0)}%`);

  printFormats(formats, baseline, bareXml, fmt);

  const read = values['skip-read'] ? undefined : await readSideBench({ reports: Number(values['read-reports']), samples: 300, outDir });

  writeFileSync(join(outDir, 'results.json'), JSON.stringify({ date: new Date().toISOString(), import: importResult, status: statusResult, formats: { ...formats, bareFastify: baseline, bareFastifyXml: bareXml }, read }, null, 2));
  rmSync(work, { recursive: true, force: true });
}

(values.soak ? soakBench({ minutes: Number(values.minutes), pg: values.pg, statusCachePairs: values['status-cache-pairs'] }) : values.pg ? postgresBench(reports) : values.metrics ? metricsBench({ statusReports, duration, connections }) : main()).catch((err) => {
  console.error(err);
  rmSync(work, { recursive: true, force: true });
  process.exit(1);
});
