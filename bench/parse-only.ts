/**
 * Cost of checking an import file against a bare saxes pass over the same bytes.
 *
 *   node --import tsx bench/parse-only.ts [--reports 30000] [--rounds 3] [--seed 1]
 *
 * Also timed: the check building each store's staged rows instead of JSON, as the parser thread
 * does (no thread here: nothing crosses one).
 *
 * Both passes decode and feed the same 1 MiB chunks with position tracking and yield to the event
 * loop between chunks; the bare pass only counts elements. Rounds alternate; medians are printed.
 */
import { parseArgs } from 'node:util';
import { SaxesParser } from 'saxes';
import { generateImportFile, DEFAULT_FORMS } from '../scripts/generate-file.ts';
import { parseImportFile } from '../src/import/parse-import-file.ts';
import { defaultImportLimits, type FormRef } from '../src/shared/report-record.ts';
import { StagedRowsBuilder, type StagingDialect } from '../src/store/staged-rows.ts';

const { values } = parseArgs({
  options: {
    reports: { type: 'string', default: '30000' },
    rounds: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
  },
});
const reports = Number(values.reports);
const rounds = Number(values.rounds);

const CHUNK = 1 << 20;

async function bareSaxes(file: Buffer): Promise<number> {
  const parser = new SaxesParser<{ xmlns: false; position: true }>({ xmlns: false, position: true });
  let elements = 0;
  parser.on('opentag', () => { elements++; });
  parser.on('error', (e) => { throw e; });
  let offset = file[0] === 0xef ? 3 : 0;
  while (offset < file.length) {
    let next = Math.min(offset + CHUNK, file.length);
    while (next < file.length && (file[next] & 0xc0) === 0x80) next--;
    parser.write(file.toString('utf8', offset, next));
    offset = next;
    if (offset < file.length) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  parser.close();
  return elements;
}

const forms = new Map<string, FormRef>(DEFAULT_FORMS.map((name, i) => [name.toLowerCase(), { pk: i + 1, name, active: true }]));
const ctx = {
  forms: (name: string) => forms.get(name.toLowerCase()),
  limits: { ...defaultImportLimits, maxFileBytes: 1 << 30 },
};

const t0 = performance.now();
const file = generateImportFile({ reports, seed: Number(values.seed) });
const mb = file.length / 1e6;
console.log(`generated ${reports} reports, ${mb.toFixed(1)} MB in ${(performance.now() - t0).toFixed(0)} ms`);

const bare: number[] = [];
const full: number[] = [];
// what the parser thread of the service runs: the reports turned into each store's staged rows
const staged: Record<StagingDialect, number[]> = { sqlite: [], postgres: [] };
let elements = 0;
let lastJson: string[] = [];
for (let round = 0; round < rounds; round++) {
  let t = performance.now();
  elements = await bareSaxes(file);
  bare.push(performance.now() - t);
  t = performance.now();
  const outcome = await parseImportFile(file, ctx);
  full.push(performance.now() - t);
  if (!outcome.ok) throw new Error(`generated file refused: ${JSON.stringify(outcome.problems.slice(0, 3))}`);
  if (outcome.reports.length !== reports) throw new Error(`expected ${reports} reports, got ${outcome.reports.length}`);
  if (round === rounds - 1) lastJson = outcome.reports.map((r) => r.json);
  for (const dialect of ['sqlite', 'postgres'] as const) {
    t = performance.now();
    let rows = 0;
    const into = new StagedRowsBuilder(dialect);
    const out = await parseImportFile(file, { ...ctx, batches: { into, onBatch: (b) => { rows += b.reportIds.length; } } });
    staged[dialect].push(performance.now() - t);
    if (!out.ok || rows !== reports) throw new Error(`expected ${reports} staged reports, got ${rows}`);
  }
}

// For scale: what serialising and keeping the 30,000 JSON strings costs on its own (the parser
// must hand them over; the bare pass builds nothing).
const records: unknown[] = lastJson.map((j) => JSON.parse(j));
lastJson = [];
const jsonRuns: number[] = [];
for (let round = 0; round < rounds; round++) {
  const t = performance.now();
  const kept: string[] = [];
  for (const r of records) kept.push(JSON.stringify(r));
  jsonRuns.push(performance.now() - t);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const b = median(bare);
const f = median(full);
const line = (name: string, ms: number[], m: number): string =>
  `${name.padEnd(26)} median ${m.toFixed(0).padStart(6)} ms  ${(mb / (m / 1000)).toFixed(1).padStart(5)} MB/s  runs ${ms.map((x) => x.toFixed(0)).join(', ')}`;
console.log(`${elements} elements`);
console.log(line('bare saxes (count only)', bare, b));
console.log(line('parseImportFile', full, f));
console.log(`ratio parseImportFile / bare saxes: ${(f / b).toFixed(2)}`);
for (const [dialect, runs] of Object.entries(staged)) {
  const m = median(runs);
  console.log(`${line(`  → ${dialect} staged rows`, runs, m)}  ratio ${(m / b).toFixed(2)}`);
}
console.log(`of which, for scale: JSON.stringify of the ${records.length} records, kept: median ${median(jsonRuns).toFixed(0)} ms ` +
  `(${(median(jsonRuns) / b).toFixed(2)} of the bare pass)`);
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
