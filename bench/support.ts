/** What the benchmarks share: generated files, the built service's import end to end, baseline scripts. */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { existsSync, mkdirSync, readFileSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeImportFile } from '../scripts/generate-file.ts';

export const root = fileURLToPath(new URL('..', import.meta.url));
export const outDir = join(root, 'bench', 'out');
mkdirSync(outDir, { recursive: true });
export const apiKey = 'ck_bench_key_0123456789abcdefghij';

export function runScript(script: string, args: string[]): Promise<any> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`${script} exited ${code}`))));
  });
}

export async function generate(n: number, seed: number): Promise<string> {
  const file = join(outDir, `reports-${n}-seed${seed}.xml`);
  if (!existsSync(file)) {
    const stream = createWriteStream(file);
    await writeImportFile(stream, { reports: n, seed });
    await new Promise<void>((r) => stream.end(r));
  }
  return file;
}

export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** node:http rather than fetch: undici spends over a second of its own on a 70 MB request body. */
export function post(url: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function importFile(url: string, file: string): Promise<{ ms: number; importId: string; status: any }> {
  const body = Buffer.from(JSON.stringify({ Filename: 'bench.xml', FileBytes: readFileSync(file).toString('base64') }));
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  const t0 = performance.now();
  const res = await post(`${url}/api/reports/import`, body, headers);
  if (res.status !== 200) throw new Error(`import refused: ${res.status} ${res.text.slice(0, 500)}`);
  const { ImportId } = JSON.parse(res.text);
  for (;;) {
    const st = await (await fetch(`${url}/api/reports/import/status/${ImportId}`, { headers })).json();
    if (st.StatusDescription === 'Completed') return { ms: performance.now() - t0, importId: ImportId, status: st };
    if (st.StatusDescription === 'Failed') throw new Error(`import failed: ${JSON.stringify(st.ResponseStatus)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

