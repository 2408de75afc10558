/**
 * `npm test`: the whole suite on SQLite, then again on PostgreSQL when a server answers at
 * TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres). Without one the
 * PostgreSQL run is skipped with a notice, unless REQUIRE_POSTGRES=1 (CI), which makes it a failure.
 * Arguments, if any, name the test files to run instead of test/*.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = fileURLToPath(new URL('..', import.meta.url));
const serverUrl = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const required = /^(1|true|yes)$/i.test(process.env.REQUIRE_POSTGRES ?? '');
const files = process.argv.slice(2).length
  ? process.argv.slice(2)
  : readdirSync(`${root}/test`).filter((f) => f.endsWith('.test.ts')).sort().map((f) => `test/${f}`);

function suite(store: 'sqlite' | 'postgres'): boolean {
  process.stdout.write(`\n# test suite on ${store === 'sqlite' ? 'SQLite' : `PostgreSQL (${serverUrl})`}\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], {
    cwd: root, stdio: 'inherit', env: { ...process.env, TEST_STORE: store, TEST_DATABASE_URL: serverUrl },
  });
  return run.status === 0;
}

async function postgresAnswers(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const typecheck = spawnSync(process.execPath, [`${root}/node_modules/typescript/bin/tsc`, '--noEmit'], { cwd: root, stdio: 'inherit' });
if (typecheck.status !== 0) process.exit(1);

const sqliteOk = suite('sqlite');
const unavailable = await postgresAnswers();
let postgresOk = true;
if (unavailable) {
  const line = `# PostgreSQL SKIPPED: nothing answers at ${serverUrl} (${unavailable}); the suite ran on SQLite only`;
  process.stdout.write(`\n${line}\n`);
  if (required) {
    process.stdout.write('# REQUIRE_POSTGRES is set: a missing PostgreSQL fails the run\n');
    postgresOk = false;
  }
} else {
  postgresOk = suite('postgres');
}
process.stdout.write(`\n# SQLite: ${sqliteOk ? 'passed' : 'FAILED'}; PostgreSQL: ${unavailable ? (required ? 'MISSING' : 'skipped') : postgresOk ? 'passed' : 'FAILED'}\n`);
process.exit(sqliteOk && postgresOk ? 0 : 1);
