/** Test harness: a real service on a loopback port over a real database: a SQLite file in a temp directory, or a fresh PostgreSQL database. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { loadConfig, type Config } from '../../src/shared/config.ts';
import { openStore } from '../../src/store/open-store.ts';
import { bootstrap } from '../../src/admin/provisioning.ts';
import type { App } from '../../src/host/app.ts';
import { composeService } from '../../src/service.ts';
import type { Store } from '../../src/store/store.ts';
import type { AuthPolicy } from '../../src/services/auth/authenticator.ts';
import { defaultAuthPolicy } from '../../src/services/auth/authenticator.ts';
import { createTestDatabase } from './database.ts';

export interface TestServer {
  url: string;
  /** base URL of the API: `${url}/api` */
  api: string;
  apiKey: string;
  userName: string;
  password: string;
  organisation: string;
  store: Store;
  app: App;
  dir: string;
  databaseUrl: string;
  close(): Promise<void>;
}

export async function startServer(opts: { env?: Record<string, string>; authPolicy?: Partial<AuthPolicy>; worker?: boolean } = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'coruson-test-'));
  const database = await createTestDatabase(dir);
  const config: Config = loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', ...opts.env });
  const store = await openStore(config.databaseUrl);
  const boot = await bootstrap(store, { organisation: 'Test Airline', userName: 'admin', password: 'correct horse battery', apiKey: undefined });
  if (!boot) throw new Error('bootstrap did not run on an empty store');
  const app = composeService({
    config,
    store,
    log: pino({ level: config.logLevel }),
    authPolicy: { ...defaultAuthPolicy, ...opts.authPolicy },
    workerOptions: { pollMs: 50, maxAttempts: 3, retryDelayMs: 20, batchSize: 200 },
  });
  if (opts.worker !== false) app.worker.start();
  await app.http.listen({ port: 0, host: '127.0.0.1' });
  const address = app.http.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  const url = `http://127.0.0.1:${address.port}`;
  return {
    url,
    api: `${url}/api`,
    apiKey: boot.apiKey,
    userName: boot.userName,
    password: boot.password,
    organisation: boot.organisation,
    store,
    app,
    dir,
    databaseUrl: database.url,
    async close() {
      await app.close();
      await store.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

export function basic(user: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

/** Polls ImportReportsStatus until the import completes (or fails), returning the last body. */
export async function waitForImport(s: TestServer, importId: string, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(`${s.api}/reports/import/status/${importId}`, { headers: bearer(s.apiKey) });
    const body = await res.json();
    if (res.status !== 200) throw new Error(`status ${res.status}: ${JSON.stringify(body)}`);
    if (body.StatusDescription === 'Completed' || body.StatusDescription === 'Failed') return body;
    if (Date.now() > deadline) throw new Error(`import ${importId} not complete: ${JSON.stringify(body).slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
