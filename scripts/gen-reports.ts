/**
 * Writes a generated report import file (see scripts/generate-file.ts).
 *
 *   npm run gen -- --reports N [--out file] [--seed S] [--fields F] [--forms "A,B"]
 */
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Writable } from 'node:stream';
import { DEFAULT_FORMS, writeImportFile } from './generate-file.ts';

const HELP = `Usage: npm run gen -- --reports N [options]

Writes a realistic report import file (schema/report-import.xsd) of N reports. The same options
always give the same file. About 1.8 KB per report: 30,000 reports are roughly 54 MB.

Options:
  --reports N     number of reports (required)
  --out FILE      write to FILE instead of standard output
  --seed S        random seed (default 1); each seed gives different report ids
  --fields F      average number of Field elements per report (default 10)
  --forms LIST    comma-separated FormName values (default "${DEFAULT_FORMS.join(',')}")
  -h, --help      show this help
`;

function fail(message: string): never {
  process.stderr.write(`gen-reports: ${message}\n\n${HELP}`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      reports: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string', default: '1' },
      fields: { type: 'string', default: '10' },
      forms: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
} catch (e) {
  fail((e as Error).message);
}

if (args.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const reports = Number(args.reports);
if (args.reports === undefined || !Number.isSafeInteger(reports) || reports < 1) fail('--reports must be a whole number of at least 1');
const seed = Number(args.seed);
if (!Number.isSafeInteger(seed)) fail('--seed must be a whole number');
const fieldsPerReport = Number(args.fields);
if (!Number.isFinite(fieldsPerReport) || fieldsPerReport < 0) fail('--fields must be a number of at least 0');
const forms = args.forms === undefined ? DEFAULT_FORMS : args.forms.split(',').map((f) => f.trim()).filter((f) => f !== '');
if (forms.length === 0) fail('--forms names no form');

const out: Writable = args.out === undefined ? process.stdout : createWriteStream(args.out);
// A closed pipe (e.g. `| head`) is a normal way for the reader to stop.
out.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  process.stderr.write(`gen-reports: ${e.message}\n`);
  process.exit(1);
});

const bytes = await writeImportFile(out, { reports, seed, forms, fieldsPerReport });
if (args.out !== undefined) {
  await new Promise<void>((resolve) => out.end(resolve));
  process.stderr.write(`wrote ${reports} reports, ${bytes} bytes to ${args.out}\n`);
}
