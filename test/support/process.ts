/** Runs the real service (`src/main.ts`) as a child process, as `npm start` does. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface ServiceProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `built`: run dist/main.js as `npm start` does (after `npm run build`), rather than the sources. */
export async function startService(env: Record<string, string>, opts: { built?: boolean; timeoutMs?: number } = {}): Promise<ServiceProcess> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const port = env.PORT ?? String(await freePort());
  const args = opts.built ? ['dist/main.js'] : ['--import', 'tsx', 'src/main.ts'];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', ...env, PORT: port },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}:\n${out}`);
    try {
      if ((await fetch(`${url}/api`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`service did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    url,
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Posts an import file to a service process and returns its ImportId once the worker has numbered some of its reports. */
export async function importUntilNumbering(url: string, apiKey: string, file: Buffer): Promise<string> {
  const auth = { authorization: `Bearer ${apiKey}` };
  const res = await fetch(`${url}/api/reports/import`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ Filename: 'big.xml', FileBytes: file.toString('base64') }),
  });
  if (res.status !== 200) throw new Error(`import refused: ${res.status} ${await res.text()}`);
  const { ImportId } = await res.json();
  for (;;) {
    const st = await (await fetch(`${url}/api/reports/import/status/${ImportId}`, { headers: auth })).json();
    if (st.TotalReportsImported > 0) return ImportId;
    await new Promise((r) => setTimeout(r, 5));
  }
}
