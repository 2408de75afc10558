import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { generateImportFile } from '../scripts/generate-file.ts';
import { bearer, startServer, waitForImport, type TestServer } from './support/server.ts';

let s: TestServer;
let locked: TestServer;
before(async () => {
  s = await startServer();
  locked = await startServer({ env: { METRICS_TOKEN: 'scrape-secret' } });
});
after(async () => {
  await s.close();
  await locked.close();
});

type Family = { name: string; type: string; metrics: Array<{ value?: string; count?: string; buckets?: Record<string, string>; labels?: Record<string, string> }> };

async function scrape(server = s, headers: Record<string, string> = {}): Promise<Map<string, Family>> {
  const res = await fetch(`${server.url}/metrics`, { headers });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
  const families = parsePrometheusTextFormat(await res.text()) as Family[];
  return new Map(families.map((f) => [f.name, f]));
}

function value(m: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const f = m.get(name);
  assert.ok(f, `${name} is exported`);
  const found = f.metrics.find((x) => Object.entries(labels).every(([k, v]) => x.labels?.[k] === v));
  return found ? Number(found.value ?? found.count ?? found.buckets?.['+Inf']) : 0;
}

test('the metrics parse as Prometheus text and move as an import runs', async () => {
  const before = await scrape();
  for (const name of ['coruson_process_cpu_user_seconds_total', 'coruson_nodejs_eventloop_lag_seconds', 'coruson_uploads_in_flight', 'coruson_uploads_refused_total',
    'coruson_sign_in_failures_total', 'coruson_sign_in_blocks_total', 'coruson_import_parse_duration_seconds', 'coruson_numbering_batch_duration_seconds']) {
    assert.ok(before.has(name), `${name} is exported`);
  }
  const reports = 500;
  const file = generateImportFile({ reports, seed: 11 });
  const res = await fetch(`${s.api}/reports/import`, {
    method: 'POST',
    headers: { ...bearer(s.apiKey), 'content-type': 'application/json' },
    body: JSON.stringify({ Filename: 'm.xml', FileBytes: file.toString('base64') }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const { ImportId } = await res.json();
  await waitForImport(s, ImportId);
  await fetch(`${s.api}/no/such/route/${crypto.randomUUID()}`);

  const m = await scrape();
  assert.equal(value(m, 'coruson_reports_numbered_total') - value(before, 'coruson_reports_numbered_total'), reports);
  assert.equal(value(m, 'coruson_imports', { status: 'Completed' }), 1);
  assert.equal(value(m, 'coruson_reports_waiting'), 0);
  assert.equal(value(m, 'coruson_http_requests_total', { operation: 'ImportReports', status: '2xx' }), 1);
  assert.ok(value(m, 'coruson_http_requests_total', { operation: 'ImportReportsStatus', status: '2xx' }) >= 1);
  assert.ok(value(m, 'coruson_http_requests_total', { operation: 'unmatched', status: '4xx' }) >= 1);
  // the parser keeps no labels of histogram series: the labelled one is read from the text
  const text = await (await fetch(`${s.url}/metrics`)).text();
  assert.match(text, /^coruson_http_request_duration_seconds_count\{operation="ImportReports",status="2xx"\} 1$/m);
  assert.equal(value(m, 'coruson_import_parse_duration_seconds'), 1);
  assert.ok(value(m, 'coruson_numbering_batch_duration_seconds') >= Math.ceil(reports / 200));
  const operations = new Set(m.get('coruson_http_requests_total')!.metrics.map((x) => x.labels!.operation));
  for (const op of operations) assert.doesNotMatch(op, /[0-9a-f]{8}-/, 'no id in a label');
});

test('sign-in failures are counted', async () => {
  const before = value(await scrape(), 'coruson_sign_in_failures_total');
  const res = await fetch(`${s.api}/auth/credentials`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ UserName: s.userName, Password: 'wrong' }),
  });
  assert.equal(res.status, 401);
  assert.equal(value(await scrape(), 'coruson_sign_in_failures_total'), before + 1);
});

test('with METRICS_TOKEN the metrics need it as a Bearer token', async () => {
  assert.equal((await fetch(`${locked.url}/metrics`)).status, 401);
  assert.equal((await fetch(`${locked.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status, 401);
  assert.ok((await scrape(locked, { authorization: 'Bearer scrape-secret' })).has('coruson_http_requests_total'));
});

test('with METRICS=off there is no /metrics', async () => {
  const off = await startServer({ env: { METRICS: 'off' } });
  try {
    assert.equal((await fetch(`${off.url}/metrics`)).status, 404);
  } finally {
    await off.close();
  }
});
