import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { loadConfig } from '../src/shared/config.ts';
import { openStore } from '../src/store/open-store.ts';
import { composeService } from '../src/service.ts';
import { createTestDatabase } from './support/database.ts';

test('each document GET is answered once: no FST_ERR_REP_ALREADY_SENT in the log', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'coruson-docs-'));
  const database = await createTestDatabase(dir);
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, cb) { lines.push(String(chunk)); cb(); } });
  const config = loadConfig({ DATABASE_URL: database.url });
  const store = await openStore(config.databaseUrl);
  const app = composeService({ config, store, log: pino({ level: 'debug' }, sink) });
  try {
    await app.http.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.http.server.address() as { port: number };
    const api = `http://127.0.0.1:${port}/api`;
    for (const path of ['/metadata', '/json/metadata?op=GetForms', '/nope/metadata', '/soap11', '/soap12?wsdl', '/reports/import/schema', '/openapi.json', '/types', '/types/typescript', '/types/metadata']) {
      const res = await fetch(api + path);
      assert.ok(res.status === 200 || res.status === 404, path);
      await res.arrayBuffer();
    }
    await new Promise((r) => setTimeout(r, 100));
    const doubled = lines.filter((l) => /FST_ERR_REP_ALREADY_SENT|already sent/.test(l));
    assert.deepEqual(doubled, []);
  } finally {
    await app.close();
    await store.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
});
