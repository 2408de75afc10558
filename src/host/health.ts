/**
 * Liveness and readiness for load balancers and orchestrators: outside /api, without credentials,
 * cheap enough to poll every second, never logged per call.
 */
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';
import type { BackgroundWorker } from '../import/import-worker.ts';

export interface Readiness {
  /** set once shutdown begins: the instance stops taking new work */
  stopping: boolean;
}

const databaseTimeoutMs = 1000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

type Check = { ok: true } | { ok: false; reason: string };

async function checkDatabase(store: Store): Promise<{ database: Check; migrations: Check }> {
  try {
    const pending = await withTimeout(store.pendingMigrations(), databaseTimeoutMs);
    return { database: { ok: true }, migrations: pending === 0 ? { ok: true } : { ok: false, reason: `${pending} migrations not applied` } };
  } catch (err) {
    const reason = (err as Error).message || 'the database did not answer';
    return { database: { ok: false, reason }, migrations: { ok: false, reason: 'unknown while the database does not answer' } };
  }
}

export function registerHealth(http: FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>, store: Store, worker: BackgroundWorker, readiness: Readiness): void {
  const json = 'application/json; charset=utf-8';
  http.get('/health/live', (_req, reply) => reply.header('content-type', json).header('cache-control', 'no-store').send('{"Status":"live"}'));
  http.get('/health/ready', async (_req, reply) => {
    const { database, migrations } = await checkDatabase(store);
    const checks: Record<string, Check> = {
      database,
      migrations,
      importWorker: worker.running() ? { ok: true } : { ok: false, reason: 'the import worker is not running' },
      shutdown: readiness.stopping ? { ok: false, reason: 'the service is shutting down' } : { ok: true },
    };
    const failing = Object.keys(checks).filter((k) => !checks[k].ok);
    const body = {
      Status: failing.length ? 'unavailable' : 'ready',
      Failing: failing,
      Checks: Object.fromEntries(Object.entries(checks).map(([k, c]) => [k, c.ok ? 'ok' : c.reason])),
    };
    return reply.code(failing.length ? 503 : 200).header('content-type', json).header('cache-control', 'no-store').send(JSON.stringify(body));
  });
}
