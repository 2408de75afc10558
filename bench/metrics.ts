/**
 * `npm run bench -- --metrics [--status-reports 1000] [--duration 10] [--connections 50]`:
 * ImportReportsStatus under load on a service with metrics on, beside one with METRICS=off.
 * Each service gets its own SQLite file; they are loaded one after the other, never at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { apiKey, fmt, generate, importFile } from './support.ts';
import { startService, type ServiceProcess } from '../test/support/process.ts';

export async function metricsBench(o: { statusReports: number; duration: number; connections: number }): Promise<{ on: number; off: number; ratio: number }> {
  const work = mkdtempSync(join(tmpdir(), 'coruson-bench-metrics-'));
  const services: ServiceProcess[] = [];
  try {
    const file = await generate(o.statusReports, 2);
    const start = async (name: string, metrics: string) => {
      const svc = await startService({ DATABASE_URL: join(work, `${name}.db`), CORUSON_ADMIN_API_KEY: apiKey, CORUSON_ADMIN_PASSWORD: 'bench password', METRICS: metrics }, { built: true });
      services.push(svc);
      const { importId } = await importFile(svc.url, file);
      return `${svc.url}/api/reports/import/status/${importId}`;
    };
    const onUrl = await start('on', 'on');
    const offUrl = await start('off', 'off');
    const load = async (url: string) => {
      const opts = { url, connections: o.connections, headers: { authorization: `Bearer ${apiKey}` }, pipelining: 1 };
      await autocannon({ ...opts, duration: 3 }); // warm-up
      const r = await autocannon({ ...opts, duration: o.duration });
      if (r.non2xx || r.errors) throw new Error(`${r.non2xx} non-2xx answers, ${r.errors} errors`);
      return r.requests.average;
    };
    const off = await load(offUrl);
    const on = await load(onUrl);
    const ratio = on / off;
    console.log(`\nImportReportsStatus, ${fmt(o.statusReports)}-report import, ${o.connections} connections, ${o.duration} s`);
    console.log(`  metrics on:  ${fmt(on)} req/s`);
    console.log(`  metrics off: ${fmt(off)} req/s`);
    console.log(`  on / off: ${(ratio * 100).toFixed(1)}%   (target: >= 95%)`);
    return { on, off, ratio };
  } finally {
    for (const s of services) await s.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
