/**
 * Prometheus metrics at GET /metrics. Label sets are bounded: operations come from the registry
 * (anything else is `unmatched`), statuses are classes; ids never become labels.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';

export interface Metrics {
  readonly registry: Registry;
  request(operation: string, status: number, seconds: number): void;
  uploadRefused(): void;
  parsed(seconds: number): void;
  numbered(reports: number, seconds: number): void;
  signIn(outcome: 'failed' | 'blocked'): void;
}

const statusClasses = ['1xx', '2xx', '3xx', '4xx', '5xx'];

export function createMetrics(store: Store, uploadsInFlight: () => number): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'coruson_' });
  const requests = new Counter({ name: 'coruson_http_requests_total', help: 'HTTP requests answered, by operation and status class', labelNames: ['operation', 'status'], registers: [registry] });
  const duration = new Histogram({
    name: 'coruson_http_request_duration_seconds', help: 'Time to answer an HTTP request, by operation and status class', labelNames: ['operation', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry],
  });
  new Gauge({ name: 'coruson_uploads_in_flight', help: 'Import files being received now', registers: [registry], collect() { this.set(uploadsInFlight()); } });
  const refused = new Counter({ name: 'coruson_uploads_refused_total', help: 'Import files refused with 503 (too many at once, or shutting down)', registers: [registry] });
  // counted at scrape time with one query, shared by the gauges read in the same scrape
  let counting: { at: number; counts: Promise<Awaited<ReturnType<Store['importCounts']>> | undefined> } | undefined;
  const counts = () => {
    if (!counting || performance.now() - counting.at > 250) counting = { at: performance.now(), counts: store.importCounts().catch(() => undefined) };
    return counting.counts;
  };
  new Gauge({
    name: 'coruson_imports', help: 'Imports in the store, by status', labelNames: ['status'], registers: [registry],
    async collect() {
      const c = await counts();
      if (!c) return;
      this.reset();
      for (const [status, n] of Object.entries(c.byStatus)) this.set({ status }, n);
    },
  });
  new Gauge({
    name: 'coruson_reports_waiting', help: 'Reports of accepted imports not yet numbered', registers: [registry],
    async collect() {
      const c = await counts();
      if (c) this.set(c.waitingReports);
    },
  });
  new Gauge({
    name: 'coruson_store_scrape_ok', help: "1 when the store answered this scrape's count query, 0 when the import figures are from an earlier one", registers: [registry],
    async collect() {
      this.set((await counts()) ? 1 : 0);
    },
  });
  const numbered = new Counter({ name: 'coruson_reports_numbered_total', help: 'Reports given their number by the import worker', registers: [registry] });
  const numbering = new Histogram({ name: 'coruson_numbering_batch_duration_seconds', help: 'Time to number one batch of reports', buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] });
  const parse = new Histogram({ name: 'coruson_import_parse_duration_seconds', help: 'Time to check an import file and stage its reports', buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers: [registry] });
  const signIns = new Counter({ name: 'coruson_sign_in_failures_total', help: 'Sign-ins refused for a wrong user name or password', registers: [registry] });
  const blocks = new Counter({ name: 'coruson_sign_in_blocks_total', help: 'Sign-ins refused because the user or address is blocked after failures', registers: [registry] });

  const seriesByKey = new Map<string, { count: { inc(): void }; time: { observe(v: number): void } }>();
  return {
    registry,
    request(operation, status, seconds) {
      // the labelled children are looked up once per operation and class: label hashing per request costs throughput
      const key = `${operation} ${Math.floor(status / 100)}`;
      let series = seriesByKey.get(key);
      if (!series) {
        const cls = statusClasses[Math.floor(status / 100) - 1] ?? '5xx';
        series = { count: requests.labels(operation, cls), time: duration.labels(operation, cls) };
        seriesByKey.set(key, series);
      }
      series.count.inc();
      series.time.observe(seconds);
    },
    uploadRefused: () => refused.inc(),
    parsed: (seconds) => parse.observe(seconds),
    numbered(reports, seconds) {
      numbered.inc(reports);
      numbering.observe(seconds);
    },
    signIn: (outcome) => (outcome === 'failed' ? signIns : blocks).inc(),
  };
}

/** GET /metrics, asking for METRICS_TOKEN as a Bearer token when one is configured. */
export function registerMetrics(http: FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>, metrics: Metrics, token: string | undefined): void {
  const expected = token === undefined ? undefined : Buffer.from(`Bearer ${token}`);
  http.get('/metrics', async (req, reply) => {
    if (expected) {
      const sent = Buffer.from(req.headers.authorization ?? '');
      if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) {
        return reply.code(401).header('www-authenticate', 'Bearer realm="metrics"').header('content-type', 'text/plain; charset=utf-8').send('metrics need the configured token\n');
      }
    }
    return reply.header('content-type', metrics.registry.contentType).header('cache-control', 'no-store').send(await metrics.registry.metrics());
  });
}
