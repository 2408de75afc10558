/**
 * `npm run bench -- --soak [--minutes 3] [--pg]`: mixed traffic against the built service for a few
 * minutes, as a careless or hostile population of clients would send it: uploads, status polls,
 * queries, sign-ins (right and wrong), and bad inputs of every class the service refuses (deep
 * bodies, NUL and lone surrogates, XML 1.1, dates past the edges, oversized values, wrong verbs,
 * stalled and cut uploads). It prints the requests served by status class, the 5xx count (target 0),
 * the reports lost (target 0: every accepted report numbered exactly once) and the service's RSS
 * over time (target: flat after warm-up), and writes bench/out/soak.json.
 */
import { connect } from 'node:net';
import { writeFileSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { generateImportFile } from '../scripts/generate-file.ts';
import { startService, type ServiceProcess } from '../test/support/process.ts';
import { createPostgresDatabase, postgresServerUrl, type TestDatabase } from '../test/support/database.ts';
import { apiKey, fmt, outDir, post } from './support.ts';

const password = 'soak password 0123';
const auth = { authorization: `Bearer ${apiKey}` };

interface Tally { byClass: Record<string, number>; serverErrors: { what: string; status: number; body: string }[]; transportErrors: number }

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function soakBench(opts: { minutes: number; pg: boolean; statusCachePairs?: string }): Promise<void> {
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model}, ${fmt(totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}`);
  const work = mkdtempSync(join(tmpdir(), 'coruson-soak-'));
  let db: TestDatabase | undefined;
  let svc: ServiceProcess | undefined;
  try {
    db = opts.pg ? await createPostgresDatabase(postgresServerUrl, 'coruson_soak') : undefined;
    svc = await startService({
      DATABASE_URL: db ? db.url : join(work, 'soak.db'),
      CORUSON_ADMIN_API_KEY: apiKey,
      CORUSON_ADMIN_PASSWORD: password,
      LOG_LEVEL: 'error',
      ...(opts.statusCachePairs ? { STATUS_CACHE_PAIRS: opts.statusCachePairs } : {}),
    }, { built: true });
    await run(svc, opts);
  } finally {
    await svc?.stop();
    await db?.drop();
    rmSync(work, { recursive: true, force: true });
  }
}

async function run(svc: ServiceProcess, opts: { minutes: number; pg: boolean; statusCachePairs?: string }): Promise<void> {
  const base = svc.url;
  const tally: Tally = { byClass: {}, serverErrors: [], transportErrors: 0 };
  const until = Date.now() + opts.minutes * 60_000;
  const accepted: { importId: string; reports: number }[] = [];

  const count = (what: string, status: number, body: string) => {
    const cls = `${Math.floor(status / 100)}xx`;
    tally.byClass[cls] = (tally.byClass[cls] ?? 0) + 1;
    if (status >= 500 && tally.serverErrors.length < 20) tally.serverErrors.push({ what, status, body: body.slice(0, 300) });
  };
  const call = async (what: string, path: string, init: RequestInit = {}) => {
    try {
      const res = await fetch(base + path, { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } });
      const body = await res.text();
      count(what, res.status, body);
      return { status: res.status, body };
    } catch {
      tally.transportErrors++;
      return { status: 0, body: '' };
    }
  };

  // RSS every 5 s, with the V8 heap and the memory outside it (from /metrics) to tell which grows
  const rss: { s: number; mb: number; heapMb?: number; externalMb?: number }[] = [];
  const t0 = Date.now();
  const sampler = setInterval(() => {
    const sample: (typeof rss)[number] = { s: Math.round((Date.now() - t0) / 1000), mb: rssMb(svc.child.pid!) };
    rss.push(sample);
    void fetch(`${base}/metrics`).then((r) => r.text()).then((text) => {
      const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]) / 2 ** 20;
      sample.heapMb = gauge('coruson_nodejs_heap_size_used_bytes');
      sample.externalMb = gauge('coruson_nodejs_external_memory_bytes');
    }, () => undefined);
  }, 5000);

  let seed = 1000;
  const uploader = async () => {
    while (Date.now() < until) {
      const reports = 500 + (seed % 4) * 500;
      const file = generateImportFile({ reports, seed: seed++ });
      const body = Buffer.from(JSON.stringify({ Filename: `soak-${seed}.xml`, FileBytes: file.toString('base64') }));
      try {
        const res = await post(`${base}/api/reports/import`, body, { ...auth, 'content-type': 'application/json' });
        count('upload', res.status, res.text);
        if (res.status === 200) accepted.push({ importId: JSON.parse(res.text).ImportId, reports });
      } catch {
        tally.transportErrors++;
      }
      await sleep(1500);
    }
  };
  const poller = async () => {
    while (Date.now() < until) {
      const last = accepted[accepted.length - 1];
      if (last) await call('status', `/api/reports/import/status/${last.importId}`);
      await sleep(50);
    }
  };
  const queries = [
    '/api/reports?Take=50', '/api/reports?ReportStatus=Open&Skip=100&Take=20', '/api/reports?Summary=gull&OrderByDesc=RaisedDate',
    '/api/reports?Number=OCC-00', '/api/reports/fields?Take=100', '/api/forms', '/api/xml/reply/GetReports?Take=10',
    '/api/reports.csv?Take=100', '/api/reports.jsv?Take=20',
  ];
  const reader = async () => {
    for (let i = 0; Date.now() < until; i++) {
      await call('query', queries[i % queries.length]);
      await sleep(20);
    }
  };
  const signIns = async () => {
    for (let i = 0; Date.now() < until; i++) {
      const wrong = i % 3 === 0;
      await call('sign-in', '/api/auth/credentials', {
        method: 'POST', headers: { 'content-type': 'application/json', authorization: '' },
        body: JSON.stringify({ UserName: wrong ? `nobody${i % 50}` : 'admin', Password: wrong ? 'wrong' : password }),
      });
      await sleep(400);
    }
  };
  const deep = (member: string, n: number) => `{"${member}":` + '{"a":'.repeat(n) + '1' + '}'.repeat(n + 1);
  const badFile = (xml: string) => JSON.stringify({ Filename: 'bad.xml', FileBytes: Buffer.from(xml).toString('base64') });
  const xml11 = '<?xml version="1.1"?><Reports xmlns="http://www.coruson.com/reports/import"><Report><Summary>&#x1;</Summary></Report></Reports>';
  const badInputs: [string, string, RequestInit][] = [
    ['deep JSON', '/api/auth', { method: 'POST', headers: { 'content-type': 'application/json' }, body: deep('UserName', 5000) }],
    ['deep JSON status', '/api/ImportReportsStatus', { method: 'POST', headers: { 'content-type': 'application/json' }, body: deep('ImportId', 5000) }],
    ['NUL filter', '/api/reports?Summary=%00', {}],
    ['lone surrogate', '/api/reports?Summary=%ED%A0%80', {}],
    ['NUL user', '/api/auth/credentials', { method: 'POST', headers: { 'content-type': 'application/json', authorization: '' }, body: '{"UserName":"ad\\u0000min","Password":"x"}' }],
    ['XML 1.1 file', '/api/reports/import', { method: 'POST', headers: { 'content-type': 'application/json' }, body: badFile(xml11) }],
    ['edge date', '/api/reports?RaisedDate=0026/03/01', {}],
    ['far date', '/api/reports?StartDate=99999/01/01', {}],
    ['big number', '/api/reports/additionalFields/00000000-0000-0000-0000-000000000001', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ Value: '9'.repeat(100_000) }) }],
    ['GET import', '/api/json/reply/ImportReports?Filename=a.xml', {}],
    ['bad GUID', '/api/reports/import/status/not-a-guid', {}],
    ['bad enum', '/api/reports?ReportStatus=Sideways', {}],
    ['Take 1000', '/api/reports?Take=1000', {}],
    ['types injection', '/api/types/typescript?IncludeTypes=*/alert(1);/*', {}],
    ['unknown format', '/api/reports?format=yaml', {}],
  ];
  const attacker = async () => {
    for (let i = 0; Date.now() < until; i++) {
      const [what, path, init] = badInputs[i % badInputs.length];
      await call(what, path, init);
      await sleep(30);
    }
  };
  // uploads that stall after a few bytes, or are cut: the service must free their slots
  const staller = async () => {
    while (Date.now() < until) {
      await new Promise<void>((resolve) => {
        const port = Number(new URL(base).port);
        const s = connect(port, '127.0.0.1', () => {
          s.write(`POST /api/reports/import HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${apiKey}\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"Filename":"x.xml","FileBytes":"`);
        });
        s.on('error', () => undefined);
        setTimeout(() => { s.destroy(); resolve(); }, 3000);
      });
      await sleep(500);
    }
  };

  await Promise.all([uploader(), poller(), reader(), reader(), signIns(), attacker(), staller()]);
  clearInterval(sampler);

  // every accepted import finishes, and every accepted report is numbered exactly once
  const deadline = Date.now() + 120_000;
  let expected = 0;
  let numbered = 0;
  for (const imp of accepted) {
    for (;;) {
      const st = await (await fetch(`${base}/api/reports/import/status/${imp.importId}`, { headers: auth })).json() as any;
      if (st.StatusDescription === 'Completed' || st.StatusDescription === 'Failed' || Date.now() > deadline) {
        expected += st.TotalReports ?? 0;
        numbered += Object.keys(st.ImportedReports ?? {}).length;
        break;
      }
      await sleep(200);
    }
  }
  const listed = await (await fetch(`${base}/api/reports?Take=1`, { headers: auth })).json() as any;
  const lost = expected - numbered;
  const total = Object.values(tally.byClass).reduce((a, b) => a + b, 0);
  const warm = rss.filter((r) => r.s >= 30);
  const third = Math.max(1, Math.floor(warm.length / 3));
  const avg = (xs: { mb: number }[]) => xs.reduce((a, r) => a + r.mb, 0) / Math.max(1, xs.length);
  const early = avg(warm.slice(0, third));
  const late = avg(warm.slice(-third));

  console.log(`\nSoak, ${opts.minutes} min of mixed traffic on ${opts.pg ? 'PostgreSQL' : 'SQLite'}, STATUS_CACHE_PAIRS ${opts.statusCachePairs ?? 'default'}`);
  console.log(`  requests served      ${fmt(total)}   ${Object.entries(tally.byClass).sort().map(([k, v]) => `${k} ${fmt(v)}`).join('   ')}   transport errors ${tally.transportErrors}`);
  console.log(`  5xx                  ${tally.byClass['5xx'] ?? 0}   (target 0)`);
  console.log(`  imports accepted     ${accepted.length}   reports accepted ${fmt(expected)}   numbered ${fmt(numbered)}   listed by GetReports ${fmt(listed.TotalResults)}`);
  console.log(`  reports lost         ${lost}   (target 0)`);
  console.log(`  RSS (MB) every 5 s   ${rss.map((r) => fmt(r.mb)).join(' ')}`);
  console.log(`  V8 heap used (MB)    ${rss.map((r) => fmt(r.heapMb ?? NaN)).join(' ')}`);
  console.log(`  external (MB)        ${rss.map((r) => fmt(r.externalMb ?? NaN)).join(' ')}`);
  console.log(`  RSS after warm-up    first third ${fmt(early)} MB   last third ${fmt(late)} MB   ratio ${(late / early).toFixed(2)}   (target: flat)`);
  for (const e of tally.serverErrors) console.log(`  5xx: ${e.what} → ${e.status} ${e.body}`);
  writeFileSync(join(outDir, 'soak.json'), JSON.stringify({ date: new Date().toISOString(), minutes: opts.minutes, store: opts.pg ? 'postgres' : 'sqlite', total, tally, accepted: accepted.length, expected, numbered, listed: listed.TotalResults, lost, rss }, null, 2));
  if ((tally.byClass['5xx'] ?? 0) > 0 || lost !== 0 || listed.TotalResults !== expected) process.exitCode = 1;
}
