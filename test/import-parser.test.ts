import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseImportFile, type ParseOutcome } from '../src/import/parse-import-file.ts';
import { generateImportFile } from '../scripts/generate-file.ts';
import { defaultImportLimits, type FormRef, type ImportLimits, type ImportProblem, type ReportRecord } from '../src/shared/report-record.ts';
import { isCalendarDate, parseDateTime } from '../src/import/report-rules.ts';

const NS = 'urn:coruson:reports:import:1';
const FORMS = new Map<string, FormRef>([
  ['occurrence report', { pk: 1, name: 'Occurrence Report', active: true }],
  ['hazard report', { pk: 2, name: 'Hazard Report', active: true }],
  ['safety observation', { pk: 3, name: 'Safety Observation', active: true }],
  ['legacy report', { pk: 4, name: 'Legacy Report', active: false }],
]);

function parse(xml: string | Buffer, limits: Partial<ImportLimits> = {}): Promise<ParseOutcome> {
  return parseImportFile(Buffer.isBuffer(xml) ? xml : Buffer.from(xml), {
    forms: (name) => FORMS.get(name.toLowerCase()),
    limits: { ...defaultImportLimits, ...limits },
  });
}

async function accepted(xml: string | Buffer, limits?: Partial<ImportLimits>) {
  const r = await parse(xml, limits);
  if (!r.ok) assert.fail(`expected the file to be accepted, got ${JSON.stringify(r.problems, null, 1)}`);
  return r;
}

async function refused(xml: string | Buffer, limits?: Partial<ImportLimits>): Promise<{ problems: ImportProblem[]; truncated: boolean }> {
  const r = await parse(xml, limits);
  if (r.ok) assert.fail('expected the file to be refused');
  return r;
}

/** 1-based line of the first occurrence of `needle`. */
function lineOf(xml: string, needle: string, from = 0): number {
  const at = xml.indexOf(needle, from);
  assert.ok(at >= 0, `${needle} not in the file`);
  return xml.slice(0, at).split('\n').length;
}

let idCounter = 0;
const newId = (): string => `00000000-0000-4000-8000-${(++idCounter).toString(16).padStart(12, '0')}`;

interface ReportOptions {
  /** replace or add Report children by name; null leaves one out */
  set?: Record<string, string | null>;
  /** raw XML added before Fields */
  extra?: string;
  /** raw Field elements; `null` for no Fields element */
  fields?: string | null;
}

/** A valid report unless told otherwise; one element per line so lines can be asserted. */
function rep(o: ReportOptions = {}): string {
  const values: Record<string, string | null> = {
    ReportId: newId(), FormName: 'Occurrence Report', Summary: 'Bird strike on final approach',
    RaisedBy: 'j.smith', RaisedDate: '2026-03-01T10:15:00Z', ...o.set,
  };
  const lines = Object.entries(values).filter(([, v]) => v !== null).map(([k, v]) => `    <${k}>${v}</${k}>`);
  if (o.extra !== undefined) lines.push(`    ${o.extra}`);
  const fields = o.fields === undefined ? field('Altitude (ft)', 'Numerical', '<Value>1200</Value>') : o.fields;
  if (fields !== null) lines.push(`    <Fields>\n      ${fields}\n    </Fields>`);
  return `  <Report>\n${lines.join('\n')}\n  </Report>`;
}

function field(label: string, type: string, answer: string, section?: string): string {
  return `<Field><Label>${label}</Label><FieldType>${type}</FieldType>${section === undefined ? '' : `<SectionName>${section}</SectionName>`}${answer}</Field>`;
}

function doc(...reports: string[]): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n<Reports xmlns="${NS}">\n${reports.join('\n')}\n</Reports>\n`;
}

function repeater(depth: number): string {
  const inner = depth === 1 ? field('Name', 'TextBox', '<Value>x</Value>') : repeater(depth - 1);
  return field(`Level ${depth}`, 'SectionRepeater', `<Rows><Row><Fields>${inner}</Fields></Row></Rows>`);
}

// ------------------------------------------------------------------ accepted files

test('the sample file parses into the expected records', async () => {
  const r = await accepted(readFileSync(new URL('../schema/sample-reports.xml', import.meta.url)));
  assert.equal(r.reports.length, 6);
  assert.deepEqual(r.duplicatesInFile, []);
  const records = r.reports.map((p) => JSON.parse(p.json) as ReportRecord);
  for (const [i, p] of r.reports.entries()) {
    assert.equal(p.id, records[i].id);
    assert.equal(p.form, records[i].form);
  }
  const [bird, mooring, gas, hazard, ramp, ferry] = records;
  assert.deepEqual(
    { ...bird, fields: undefined },
    {
      id: '5b8f9c1e-1d2a-4c3b-9e7f-0a1b2c3d4e5f', form: 1, summary: 'Bird strike on final approach, RWY 27L',
      status: 'Open', category: 'Flight Operations', raisedBy: 'j.smith', owner: 'safety.office', raisedFrom: 'Flight BA123',
      raised: Date.parse('2026-03-01T10:15:00Z'), submitted: Date.parse('2026-03-01T11:00:00Z'), mandatory: true, fields: undefined,
    },
  );
  assert.equal(bird.fields.length, 10);
  assert.deepEqual(bird.fields[4], { label: 'Altitude (ft)', type: 'Numerical', section: 'Flight details', value: '1200' });
  assert.deepEqual(bird.fields[7], { label: 'Immediate actions', type: 'TextBox', value: 'Continued approach & landed normally; engineering informed' });
  assert.match(bird.fields[8].value!, /^A flock of gulls .* \(N1 < 1 %\n {10}deviation\)\. .*"a strong smell" in the cockpit\.$/s);
  assert.deepEqual(bird.fields[9], { label: 'Contributing factors', type: 'CheckList', section: 'Assessment', values: ['Wildlife', 'Weather'] });

  assert.equal(mooring.id, 'b2c4e6f8-0a1c-4e6f-8a0b-2c4d6e8f0a1b', '32-hex id normalised');
  assert.equal(mooring.raised, Date.parse('2026-02-14T05:40:00Z'), 'offset applied');
  assert.equal(mooring.status, 'New');
  assert.equal(mooring.mandatory, false);
  assert.deepEqual(mooring.fields[2].rows?.[1], [
    { label: 'Name', type: 'TextBox', value: 'M. Silva' },
    { label: 'Role', type: 'SelectList', value: 'Able seaman' },
  ]);

  assert.equal(gas.status, 'Closed');
  assert.equal(gas.closed, Date.parse('2026-02-03T09:00:00Z'));
  assert.equal(gas.closedBy, 'process.safety');
  assert.equal(gas.mandatory, true, 'IsMandatory 1');
  assert.equal(gas.fields[2].value, 'Flange leak on the 2" drain line after maintenance; detector GD-14 alarmed at 10 % LEL & the area was evacuated to muster point B.');

  assert.equal(hazard.form, 2);
  assert.equal(hazard.raised, Date.parse('2026-02-28T09:45:00Z'), 'no offset means UTC');
  assert.equal(hazard.status, 'New', 'default status');
  assert.equal(hazard.fields[4].rows?.[0][1].rows?.[1][1].value, 'Section loss > 30 %, barrier erected');

  assert.equal(ramp.raised, Date.parse('2026-03-02T16:20:00.500Z'));
  assert.equal(ramp.submitted, undefined);
  assert.equal(ramp.status, 'Draft');
  assert.deepEqual(ferry.fields, []);
  assert.equal(ferry.form, 3);
});

test('a generated file of 200 reports parses, in several chunks, yielding to the event loop', async () => {
  const r = await accepted(generateImportFile({ reports: 200, seed: 3 }));
  assert.equal(r.reports.length, 200);
  assert.equal(new Set(r.reports.map((p) => p.id)).size, 200);
  for (const p of r.reports) assert.match(p.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

  const big = generateImportFile({ reports: 2500, seed: 4 });
  assert.ok(big.length > 3 * 1024 * 1024);
  let done = false;
  const pending = parse(big).then((o) => { done = true; return o; });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(done, false, 'the parse gives the event loop a turn between chunks');
  const outcome = await pending;
  assert.ok(outcome.ok);
  assert.equal(outcome.reports.length, 2500);
});

test('onReports receives the reports chunk by chunk; the outcome keeps only the rest', async () => {
  const file = generateImportFile({ reports: 2500, seed: 5 });
  const handed: string[] = [];
  let calls = 0;
  const outcome = await parseImportFile(file, {
    forms: (name) => FORMS.get(name.toLowerCase()),
    limits: defaultImportLimits,
    onReports: (reports) => { calls++; for (const r of reports) handed.push(r.id); },
  });
  assert.ok(outcome.ok);
  assert.ok(calls >= 2, 'called after several chunks');
  const all = [...handed, ...outcome.reports.map((r) => r.id)];
  const expected = await accepted(file);
  assert.deepEqual(all, expected.reports.map((r) => r.id));

  // a problem after the first chunk: reports already handed over stay handed over, none after it
  const broken = Buffer.concat([file.subarray(0, file.lastIndexOf('</Reports>')), Buffer.from(`${rep({ set: { Summary: '' } })}</Reports>`)]);
  let after = 0;
  const refusedOutcome = await parseImportFile(broken, {
    forms: (name) => FORMS.get(name.toLowerCase()),
    limits: defaultImportLimits,
    onReports: (reports) => { after += reports.length; },
  });
  assert.equal(refusedOutcome.ok, false);
  assert.ok(after > 0 && after < 2500);
});

test('whitespace is trimmed, entities, CDATA and comments are read, GUIDs normalised, forms matched case-insensitively', async () => {
  const r = await accepted(doc(rep({
    set: {
      ReportId: ' \n 5B8F9C1E1D2A4C3B9E7F0A1B2C3D4E5F \t', FormName: '  occurrence REPORT ', Summary: ' R&amp;D <!-- note --><![CDATA[<tag> & "q"]]> ',
      RaisedDate: '2026-03-01T10:15:00.1234+02:00', IsMandatory: ' 0 ', ReportStatus: ' Draft ',
    },
    fields: field('  Wind  ', 'TextBox', '<Value>  \u00a0calm\u00a0  </Value>'),
  })));
  const rec = JSON.parse(r.reports[0].json) as ReportRecord;
  assert.equal(rec.id, '5b8f9c1e-1d2a-4c3b-9e7f-0a1b2c3d4e5f');
  assert.equal(rec.form, 1);
  assert.equal(rec.summary, 'R&D <tag> & "q"');
  assert.equal(rec.raised, Date.parse('2026-03-01T08:15:00.123Z'));
  assert.equal(rec.mandatory, false);
  assert.equal(rec.status, 'Draft');
  assert.deepEqual(rec.fields, [{ label: 'Wind', type: 'TextBox', value: '\u00a0calm\u00a0' }], 'NBSP is data, not XML whitespace');
});

test('prefixed and un-namespaced files, xsi:schemaLocation and a UTF-8 BOM are accepted', async () => {
  const plain = doc(rep());
  const prefixed = plain.replace(/<(\/?)([A-Z]\w*)/g, '<$1i:$2').replace(`xmlns="${NS}"`, `xmlns:i="${NS}"`);
  assert.equal((await accepted(prefixed)).reports.length, 1);
  assert.equal((await accepted(plain.replace(` xmlns="${NS}"`, ''))).reports.length, 1);
  const located = plain.replace('<Reports ', '<Reports xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:coruson:reports:import:1 report-import.xsd" ');
  assert.equal((await accepted(located)).reports.length, 1);
  assert.equal((await accepted(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(plain)]))).reports.length, 1);
});

test('a ReportId repeated in the file is a duplicate: checked, listed once, not imported twice', async () => {
  const id = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
  const r = await accepted(doc(
    rep({ set: { ReportId: id, Summary: 'first' } }),
    rep({ set: { ReportId: '7C9E6679742540DE944BE07FC1F90AE7', Summary: 'second' } }),
    rep(),
    rep({ set: { ReportId: id, Summary: 'third' } }),
  ));
  assert.equal(r.reports.length, 2);
  assert.equal((JSON.parse(r.reports[0].json) as ReportRecord).summary, 'first');
  assert.deepEqual(r.duplicatesInFile, [id]);

  const bad = await refused(doc(rep({ set: { ReportId: id } }), rep({ set: { ReportId: id, RaisedDate: 'soon' } })));
  assert.deepEqual(bad.problems.map((p) => [p.errorCode, p.fieldName, p.reportId]), [['InvalidDate', 'Reports/Report[2]/RaisedDate', id]]);
});

test('SectionRepeaters nest up to maxRepeaterDepth', async () => {
  await accepted(doc(rep({ fields: repeater(3) })));
  const { problems } = await refused(doc(rep({ fields: repeater(4) })));
  assert.deepEqual(problems.map((p) => [p.errorCode, p.fieldName]), [
    ['NestingTooDeep', 'Reports/Report[1]/Fields/Field[1]/Rows/Row[1]/Fields/Field[1]/Rows/Row[1]/Fields/Field[1]/Rows/Row[1]/Fields/Field[1]/Rows'],
  ]);
  await accepted(doc(rep({ fields: repeater(4) })), { maxRepeaterDepth: 4 });
});

// ------------------------------------------------------------------ one rule broken at a time

interface Case {
  name: string;
  xml: string;
  code: string;
  path: string;
  /** text whose line the problem must report (first occurrence) */
  at: string;
}

const long = (n: number): string => 'x'.repeat(n);
const tf = (answer: string, type = 'TextBox') => field('Answer', type, answer);
const F1 = 'Reports/Report[1]/Fields/Field[1]';

const cases: Case[] = [
  { name: 'root is not Reports', xml: `<Report xmlns="${NS}"/>`, code: 'InvalidRoot', path: 'Report', at: '<Report' },
  { name: 'root in a foreign namespace', xml: doc(rep()).replace(NS, 'urn:example:other'), code: 'InvalidNamespace', path: 'Reports', at: '<Reports' },
  { name: 'child in another namespace than the root', xml: doc(rep(), rep().replace('<Report>', '<Report xmlns="urn:example:other">')), code: 'InvalidNamespace', path: 'Reports/Report', at: '<Report xmlns' },
  { name: 'no Report', xml: doc(), code: 'NoReports', path: 'Reports', at: '<Reports' },
  { name: 'ReportId missing', xml: doc(rep({ set: { ReportId: null } })), code: 'Required', path: 'Reports/Report[1]/ReportId', at: '<Report>' },
  { name: 'ReportId not a GUID', xml: doc(rep({ set: { ReportId: '5b8f9c1e-1d2a-4c3b-9e7f-0a1b2c3d4e5' } })), code: 'InvalidGuid', path: 'Reports/Report[1]/ReportId', at: '<ReportId>' },
  { name: 'ReportId in braces', xml: doc(rep({ set: { ReportId: '{5b8f9c1e-1d2a-4c3b-9e7f-0a1b2c3d4e5f}' } })), code: 'InvalidGuid', path: 'Reports/Report[1]/ReportId', at: '<ReportId>' },
  { name: 'FormName missing', xml: doc(rep({ set: { FormName: null } })), code: 'Required', path: 'Reports/Report[1]/FormName', at: '<Report>' },
  { name: 'FormName unknown', xml: doc(rep({ set: { FormName: 'Incident Report' } })), code: 'UnknownForm', path: 'Reports/Report[1]/FormName', at: '<FormName>' },
  { name: 'FormName inactive', xml: doc(rep({ set: { FormName: 'Legacy report' } })), code: 'InactiveForm', path: 'Reports/Report[1]/FormName', at: '<FormName>' },
  { name: 'Summary missing', xml: doc(rep({ set: { Summary: null } })), code: 'Required', path: 'Reports/Report[1]/Summary', at: '<Report>' },
  { name: 'Summary only whitespace', xml: doc(rep({ set: { Summary: ' \n ' } })), code: 'Empty', path: 'Reports/Report[1]/Summary', at: '<Summary>' },
  { name: 'Summary over 500 characters', xml: doc(rep({ set: { Summary: long(501) } })), code: 'TooLong', path: 'Reports/Report[1]/Summary', at: '<Summary>' },
  { name: 'ReportStatus not in the list', xml: doc(rep({ set: { ReportStatus: 'Pending' } })), code: 'InvalidEnum', path: 'Reports/Report[1]/ReportStatus', at: '<ReportStatus>' },
  { name: 'ReportStatus in the wrong case', xml: doc(rep({ set: { ReportStatus: 'open' } })), code: 'InvalidEnum', path: 'Reports/Report[1]/ReportStatus', at: '<ReportStatus>' },
  { name: 'Category over 200 characters', xml: doc(rep({ set: { Category: long(201) } })), code: 'TooLong', path: 'Reports/Report[1]/Category', at: '<Category>' },
  { name: 'Owner over 200 characters', xml: doc(rep({ set: { Owner: long(201) } })), code: 'TooLong', path: 'Reports/Report[1]/Owner', at: '<Owner>' },
  { name: 'RaisedFrom over 200 characters', xml: doc(rep({ set: { RaisedFrom: long(201) } })), code: 'TooLong', path: 'Reports/Report[1]/RaisedFrom', at: '<RaisedFrom>' },
  { name: 'RaisedBy missing', xml: doc(rep({ set: { RaisedBy: null } })), code: 'Required', path: 'Reports/Report[1]/RaisedBy', at: '<Report>' },
  { name: 'RaisedBy over 200 characters', xml: doc(rep({ set: { RaisedBy: long(201) } })), code: 'TooLong', path: 'Reports/Report[1]/RaisedBy', at: '<RaisedBy>' },
  { name: 'RaisedDate missing', xml: doc(rep({ set: { RaisedDate: null } })), code: 'Required', path: 'Reports/Report[1]/RaisedDate', at: '<Report>' },
  { name: 'RaisedDate month 13', xml: doc(rep({ set: { RaisedDate: '2026-13-01T10:00:00Z' } })), code: 'InvalidDate', path: 'Reports/Report[1]/RaisedDate', at: '<RaisedDate>' },
  { name: 'RaisedDate without time', xml: doc(rep({ set: { RaisedDate: '2026-03-01' } })), code: 'InvalidDate', path: 'Reports/Report[1]/RaisedDate', at: '<RaisedDate>' },
  { name: 'SubmittedDate not a date', xml: doc(rep({ set: { SubmittedDate: 'tomorrow' } })), code: 'InvalidDate', path: 'Reports/Report[1]/SubmittedDate', at: '<SubmittedDate>' },
  { name: 'SubmittedDate before RaisedDate', xml: doc(rep({ set: { SubmittedDate: '2026-03-01T11:14:59+01:00' } })), code: 'DateOrder', path: 'Reports/Report[1]/SubmittedDate', at: '<SubmittedDate>' },
  { name: 'Closed without ClosedDate', xml: doc(rep({ set: { ReportStatus: 'Closed', ClosedBy: 'a.b' } })), code: 'Required', path: 'Reports/Report[1]/ClosedDate', at: '<Report>' },
  { name: 'Closed without ClosedBy', xml: doc(rep({ set: { ReportStatus: 'Closed', ClosedDate: '2026-03-02T00:00:00Z' } })), code: 'Required', path: 'Reports/Report[1]/ClosedBy', at: '<Report>' },
  { name: 'ClosedDate on an Open report', xml: doc(rep({ set: { ReportStatus: 'Open', ClosedDate: '2026-03-02T00:00:00Z' } })), code: 'ClosedOnlyWhenClosed', path: 'Reports/Report[1]/ClosedDate', at: '<ClosedDate>' },
  { name: 'ClosedBy on a report defaulting to New', xml: doc(rep({ set: { ClosedBy: 'a.b' } })), code: 'ClosedOnlyWhenClosed', path: 'Reports/Report[1]/ClosedBy', at: '<ClosedBy>' },
  { name: 'ClosedDate not a date', xml: doc(rep({ set: { ReportStatus: 'Closed', ClosedDate: '2026-02-30T00:00:00Z', ClosedBy: 'a.b' } })), code: 'InvalidDate', path: 'Reports/Report[1]/ClosedDate', at: '<ClosedDate>' },
  { name: 'IsMandatory yes', xml: doc(rep({ set: { IsMandatory: 'yes' } })), code: 'InvalidBoolean', path: 'Reports/Report[1]/IsMandatory', at: '<IsMandatory>' },
  { name: 'Field without Label', xml: doc(rep({ fields: '<Field><FieldType>TextBox</FieldType><Value>x</Value></Field>' })), code: 'Required', path: `${F1}/Label`, at: '<Field>' },
  { name: 'Label over 200 characters', xml: doc(rep({ fields: field(long(201), 'TextBox', '<Value>x</Value>') })), code: 'TooLong', path: `${F1}/Label`, at: '<Field>' },
  { name: 'Field without FieldType', xml: doc(rep({ fields: '<Field><Label>a</Label><Value>x</Value></Field>' })), code: 'Required', path: `${F1}/FieldType`, at: '<Field>' },
  { name: 'FieldType not in the list', xml: doc(rep({ fields: field('a', 'Text', '<Value>x</Value>') })), code: 'InvalidEnum', path: `${F1}/FieldType`, at: '<Field>' },
  { name: 'SectionName over 200 characters', xml: doc(rep({ fields: field('a', 'TextBox', '<Value>x</Value>', long(201)) })), code: 'TooLong', path: `${F1}/SectionName`, at: '<Field>' },
  { name: 'Field without its answer', xml: doc(rep({ fields: field('a', 'TextBox', '') })), code: 'Required', path: `${F1}/Value`, at: '<Field>' },
  { name: 'TextBox over 1,000 characters', xml: doc(rep({ fields: tf(`<Value>${long(1001)}</Value>`) })), code: 'TooLong', path: `${F1}/Value`, at: '<Field>' },
  { name: 'TextArea over 100,000 characters', xml: doc(rep({ fields: tf(`<Value>${long(100_001)}</Value>`, 'TextArea') })), code: 'TooLong', path: `${F1}/Value`, at: '<Field>' },
  { name: 'Location over 1,000 characters', xml: doc(rep({ fields: tf(`<Value>${long(1001)}</Value>`, 'Location') })), code: 'TooLong', path: `${F1}/Value`, at: '<Field>' },
  { name: 'Numerical not a number', xml: doc(rep({ fields: tf('<Value>1,200</Value>', 'Numerical') })), code: 'InvalidNumber', path: `${F1}/Value`, at: '<Field>' },
  { name: 'Numerical with an exponent', xml: doc(rep({ fields: tf('<Value>1e3</Value>', 'Numerical') })), code: 'InvalidNumber', path: `${F1}/Value`, at: '<Field>' },
  { name: 'Date not a calendar date', xml: doc(rep({ fields: tf('<Value>2026-02-30</Value>', 'Date') })), code: 'InvalidDate', path: `${F1}/Value`, at: '<Field>' },
  { name: 'Date with a time', xml: doc(rep({ fields: tf('<Value>2026-02-03T00:00:00Z</Value>', 'Date') })), code: 'InvalidDate', path: `${F1}/Value`, at: '<Field>' },
  { name: 'DateTime not a date-time', xml: doc(rep({ fields: tf('<Value>03/02/2026 10:00</Value>', 'DateTime') })), code: 'InvalidDate', path: `${F1}/Value`, at: '<Field>' },
  { name: 'SelectList empty', xml: doc(rep({ fields: tf('<Value> </Value>', 'SelectList') })), code: 'Empty', path: `${F1}/Value`, at: '<Field>' },
  { name: 'RadioGroup over 1,000 characters', xml: doc(rep({ fields: tf(`<Value>${long(1001)}</Value>`, 'RadioGroup') })), code: 'TooLong', path: `${F1}/Value`, at: '<Field>' },
  { name: 'CheckList given a Value', xml: doc(rep({ fields: tf('<Value>a</Value>', 'CheckList') })), code: 'ValueShape', path: `${F1}/Value`, at: '<Field>' },
  { name: 'CheckList with empty Values', xml: doc(rep({ fields: tf('<Values></Values>', 'CheckList') })), code: 'Empty', path: `${F1}/Values`, at: '<Field>' },
  { name: 'CheckList item empty', xml: doc(rep({ fields: tf('<Values><Value>a</Value><Value/></Values>', 'CheckList') })), code: 'Empty', path: `${F1}/Values/Value[2]`, at: '<Field>' },
  { name: 'TextBox given Values', xml: doc(rep({ fields: tf('<Values><Value>a</Value></Values>') })), code: 'ValueShape', path: `${F1}/Values`, at: '<Field>' },
  { name: 'SectionRepeater given a Value', xml: doc(rep({ fields: tf('<Value>a</Value>', 'SectionRepeater') })), code: 'ValueShape', path: `${F1}/Value`, at: '<Field>' },
  { name: 'TextBox given Rows', xml: doc(rep({ fields: tf('<Rows><Row><Fields/></Row></Rows>') })), code: 'ValueShape', path: `${F1}/Rows`, at: '<Field>' },
  { name: 'both Value and Values', xml: doc(rep({ fields: tf('<Value>a</Value><Values><Value>b</Value></Values>') })), code: 'ValueShape', path: `${F1}/Values`, at: '<Field>' },
  { name: 'Value twice', xml: doc(rep({ fields: tf('<Value>a</Value><Value>b</Value>') })), code: 'Repeated', path: `${F1}/Value`, at: '<Field>' },
  { name: 'Rows without Row', xml: doc(rep({ fields: tf('<Rows/>', 'SectionRepeater') })), code: 'Empty', path: `${F1}/Rows`, at: '<Field>' },
  { name: 'Row without Fields', xml: doc(rep({ fields: tf('<Rows><Row/></Rows>', 'SectionRepeater') })), code: 'Required', path: `${F1}/Rows/Row[1]/Fields`, at: '<Field>' },
  { name: 'field inside a Row broken', xml: doc(rep({ fields: tf(`<Rows><Row><Fields>${field('n', 'Numerical', '<Value>x</Value>')}</Fields></Row></Rows>`, 'SectionRepeater') })), code: 'InvalidNumber', path: `${F1}/Rows/Row[1]/Fields/Field[1]/Value`, at: '<Field>' },
  { name: 'Field children out of order', xml: doc(rep({ fields: '<Field><FieldType>TextBox</FieldType><Label>a</Label><Value>x</Value></Field>' })), code: 'ElementOrder', path: `${F1}/Label`, at: '<Field>' },
  { name: 'unknown element in Report', xml: doc(rep({ extra: '<Sumary>typo</Sumary>' })), code: 'UnknownElement', path: 'Reports/Report[1]/Sumary', at: '<Sumary>' },
  { name: 'unknown element in Reports', xml: doc(rep(), '  <Notes/>'), code: 'UnknownElement', path: 'Reports/Notes', at: '<Notes/>' },
  { name: 'unknown element in Field', xml: doc(rep({ fields: tf('<Value>a</Value><Comment>b</Comment>') })), code: 'UnknownElement', path: `${F1}/Comment`, at: '<Field>' },
  { name: 'element inside a value', xml: doc(rep({ set: { Summary: 'Bird <b>strike</b>' } })), code: 'UnknownElement', path: 'Reports/Report[1]/Summary/b', at: '<Summary>' },
  { name: 'text inside a container', xml: doc(rep({ extra: 'stray text' })), code: 'UnexpectedText', path: 'Reports/Report[1]', at: '<Report>' },
  { name: 'an attribute', xml: doc(rep().replace('<Summary>', '<Summary lang="en">')), code: 'UnknownAttribute', path: 'Reports/Report[1]/Summary/@lang', at: '<Summary' },
  { name: 'a Report child twice', xml: doc(rep({ extra: '<Summary>again</Summary>' })), code: 'Repeated', path: 'Reports/Report[1]/Summary', at: '<Summary>again' },
];

for (const c of cases) {
  test(`refused: ${c.name}`, async () => {
    const { problems, truncated } = await refused(c.xml);
    assert.equal(truncated, false);
    assert.equal(problems.length, 1, JSON.stringify(problems, null, 1));
    const [p] = problems;
    assert.equal(p.errorCode, c.code, p.message);
    assert.equal(p.fieldName, c.path);
    assert.equal(p.line, lineOf(c.xml, c.at));
    assert.ok(p.message.length > 20, p.message);
    if (p.errorCode !== 'InvalidRoot' && p.errorCode !== 'NoReports' && c.path.startsWith('Reports/Report[') && !c.name.startsWith('ReportId')) {
      assert.match(p.reportId ?? '', /^00000000-0000-4000-8000-/, 'reportId of the report');
    }
  });
}

test('messages name the element, the value and what is allowed', async () => {
  const { problems } = await refused(doc(rep({ set: { RaisedDate: '2026-13-01' } })));
  assert.match(problems[0].message, /^RaisedDate '2026-13-01' is not an ISO 8601 date-time/);
  const unknown = await refused(doc(rep({ set: { FormName: 'Secret Form' } })));
  assert.doesNotMatch(unknown.problems[0].message, /Occurrence|Hazard|Legacy/, 'no other form names are disclosed');
});

test('the column is that of the start tag', async () => {
  const xml = doc(rep({ set: { Summary: 'x' }, fields: tf('<Value>abc</Value>', 'Numerical') }));
  const { problems } = await refused(xml);
  const line = xml.split('\n')[problems[0].line! - 1];
  assert.equal(problems[0].column, line.indexOf('<Value>') + 1);
});

// ------------------------------------------------------------------ several problems

test('every problem of a file is listed, with paths, lines and report ids', async () => {
  const id2 = '11111111-2222-4333-8444-555555555555';
  const xml = doc(
    rep({ set: { Summary: null, IsMandatory: 'maybe' } }),
    rep({ set: { ReportId: id2, RaisedDate: '2026-03-01T10:15:00Z', SubmittedDate: '2026-02-01T10:15:00Z' }, fields: `${tf('<Value>1.2.3</Value>', 'Numerical')}\n      ${tf('<Values/>', 'CheckList')}` }),
    rep({ set: { FormName: 'Nope', ReportId: 'not-a-guid' } }),
  );
  const { problems, truncated } = await refused(xml);
  assert.equal(truncated, false);
  assert.deepEqual(problems.map((p) => [p.errorCode, p.fieldName]), [
    ['InvalidBoolean', 'Reports/Report[1]/IsMandatory'],
    ['Required', 'Reports/Report[1]/Summary'],
    ['InvalidNumber', 'Reports/Report[2]/Fields/Field[1]/Value'],
    ['Empty', 'Reports/Report[2]/Fields/Field[2]/Values'],
    ['DateOrder', 'Reports/Report[2]/SubmittedDate'],
    ['InvalidGuid', 'Reports/Report[3]/ReportId'],
    ['UnknownForm', 'Reports/Report[3]/FormName'],
  ]);
  assert.equal(problems[0].line, lineOf(xml, '<IsMandatory>'));
  assert.equal(problems[1].line, lineOf(xml, '<Report>'));
  assert.equal(problems[2].line, lineOf(xml, '<Field>', xml.indexOf(id2)));
  for (const p of problems.slice(2, 5)) assert.equal(p.reportId, id2);
  assert.equal(problems[5].reportId, undefined);
});

test('at maxErrors the list stops and is marked truncated', async () => {
  const xml = doc(...Array.from({ length: 10 }, () => rep({ set: { Summary: '' } })));
  const capped = await refused(xml, { maxErrors: 4 });
  assert.equal(capped.problems.length, 4);
  assert.equal(capped.truncated, true);
  assert.deepEqual(capped.problems.map((p) => p.fieldName), [1, 2, 3, 4].map((i) => `Reports/Report[${i}]/Summary`));
  const exact = await refused(xml, { maxErrors: 10 });
  assert.equal(exact.problems.length, 10);
  assert.equal(exact.truncated, false);
});

// ------------------------------------------------------------------ hostile and broken files

async function only(xml: string | Buffer, code: string, limits?: Partial<ImportLimits>): Promise<ImportProblem> {
  const { problems } = await refused(xml, limits);
  assert.equal(problems.length, 1, JSON.stringify(problems));
  assert.equal(problems[0].errorCode, code, problems[0].message);
  return problems[0];
}

test('a DOCTYPE is refused, also carrying XXE and billion-laughs payloads', async () => {
  const doctype = await only(`<?xml version="1.0"?>\n<!-- c -->\n<!DOCTYPE Reports>\n${doc(rep()).split('\n').slice(1).join('\n')}`, 'DoctypeNotAllowed');
  assert.equal(doctype.line, 3);
  await only(`<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<Reports xmlns="${NS}"><Report><Summary>&xxe;</Summary></Report></Reports>`, 'DoctypeNotAllowed');
  await only(`<!DOCTYPE r SYSTEM "http://127.0.0.1:1/evil.dtd"><Reports xmlns="${NS}"/>`, 'DoctypeNotAllowed');
  const laughs = ['<!ENTITY lol "lol">'];
  for (let i = 1; i < 10; i++) laughs.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
  await only(`<?xml version="1.0"?>\n<!DOCTYPE lolz [\n${laughs.join('\n')}\n]>\n<Reports xmlns="${NS}"><Report><Summary>&lol9;</Summary></Report></Reports>`, 'DoctypeNotAllowed');
  await only(`<Reports xmlns="${NS}">${rep()}</Reports>\n<!DOCTYPE late>`, 'DoctypeNotAllowed');
});

test('an entity reference without a DOCTYPE is a syntax error', async () => {
  const p = await only(doc(rep({ set: { Summary: 'a &xxe; b' } })), 'XmlSyntax');
  assert.match(p.message, /entity/);
});

test('invalid UTF-8 is reported with its offset and line', async () => {
  const text = doc(rep({ set: { Summary: 'Zürich ABC' } }));
  const bytes = Buffer.from(text);
  const at = bytes.indexOf('ABC');
  bytes[at] = 0xc3;
  bytes[at + 1] = 0x28;
  const p = await only(bytes, 'InvalidUtf8');
  assert.equal(p.line, lineOf(text, 'Zürich'));
  assert.equal(p.column, text.split('\n')[p.line! - 1].indexOf('ABC') + 1);
  assert.match(p.message, new RegExp(`byte offset ${at}\\b`));
  const overlong = Buffer.concat([Buffer.from('<Reports>'), Buffer.from([0xc0, 0xaf]), Buffer.from('</Reports>')]);
  await only(overlong, 'InvalidUtf8');
  const surrogate = Buffer.concat([Buffer.from('<Reports>'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('</Reports>')]);
  await only(surrogate, 'InvalidUtf8');
});

test('UTF-16 files and other declared encodings are refused', async () => {
  const text = doc(rep());
  await only(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), 'UnsupportedEncoding');
  await only(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]), 'UnsupportedEncoding');
  await only(Buffer.from(text, 'utf16le'), 'UnsupportedEncoding');
  const latin = await only(text.replace('encoding="utf-8"', "encoding='ISO-8859-1'"), 'UnsupportedEncoding');
  assert.match(latin.message, /ISO-8859-1/);
  await accepted(text.replace('encoding="utf-8"', 'encoding="UTF-8"'));
});

test('empty, non-XML, truncated and malformed files are one XmlSyntax problem with a position', async () => {
  assert.match((await only('', 'XmlSyntax')).message, /empty/);
  assert.match((await only(Buffer.from([0xef, 0xbb, 0xbf]), 'XmlSyntax')).message, /empty/);
  await only('   \n  ', 'XmlSyntax');
  const notXml = await only('Date,Summary\n2026-03-01,Bird strike\n', 'XmlSyntax');
  assert.equal(notXml.line, 1);
  await only('{"Reports": []}', 'XmlSyntax');
  const full = doc(rep(), rep({ set: { Summary: null } }));
  const truncated = await only(full.slice(0, full.lastIndexOf('<RaisedBy>') + 5), 'XmlSyntax');
  assert.equal(truncated.line, lineOf(full, '<RaisedBy>', full.lastIndexOf('<Report>')));
  assert.equal(truncated.fieldName, 'Reports/Report[2]');
  const mismatched = await only(doc(rep()).replace('</Summary>', '</Summry>'), 'XmlSyntax');
  assert.equal(mismatched.line, lineOf(doc(rep()), '<Summary>'));
  assert.ok(mismatched.column! > 1);
  await only(doc(rep()) + '<Reports/>', 'XmlSyntax');
  await only(doc(rep()).replace('<Summary>', '<Summary a="1" a="2">'), 'XmlSyntax');
  await only(`<Reports xmlns="${NS}"><x:Report/></Reports>`.replace('<Reports', '<Reports xmlns:y="urn:y"'), 'XmlSyntax');
});

test('10,000 nested elements stop at maxDepth with LimitExceeded, quickly', async () => {
  const started = performance.now();
  const deep = `<Reports xmlns="${NS}">${'<a>'.repeat(10_000)}${'</a>'.repeat(10_000)}</Reports>`;
  const { problems } = await refused(deep);
  assert.deepEqual(problems.map((p) => p.errorCode), ['UnknownElement', 'LimitExceeded']);
  assert.equal(problems[1].fieldName.split('/').length, defaultImportLimits.maxDepth);
  const deepFields = `<Reports xmlns="${NS}"><Report>${'<Fields><Field>'.repeat(5_000)}`;
  const { problems: p2 } = await refused(deepFields);
  assert.equal(p2.at(-1)!.errorCode, 'LimitExceeded');
  assert.ok(performance.now() - started < 2000);
});

test('too many reports, elements or bytes: LimitExceeded, stopping at once', async () => {
  const xml = doc(rep(), rep(), rep(), rep());
  const reports = await refused(xml, { maxReports: 3 });
  assert.deepEqual(reports.problems.map((p) => [p.errorCode, p.fieldName]), [['LimitExceeded', 'Reports/Report[4]']]);
  assert.equal(reports.problems[0].line, xml.split('\n').findIndex((l, i, all) => l === '  <Report>' && all.slice(0, i).filter((x) => x === '  <Report>').length === 3) + 1);
  await accepted(xml, { maxReports: 4 });
  const elements = await refused(xml, { maxElements: 20 });
  assert.equal(elements.problems.at(-1)!.errorCode, 'LimitExceeded');
  const bytes = await only(xml, 'LimitExceeded', { maxFileBytes: 100 });
  assert.match(bytes.message, /100/);
});

test('problems found before a limit is passed are kept', async () => {
  const { problems } = await refused(doc(rep({ set: { Summary: '' } }), rep(), rep()), { maxReports: 2 });
  assert.deepEqual(problems.map((p) => p.errorCode), ['Empty', 'LimitExceeded']);
});

// ------------------------------------------------------------------ value rules

test('date-times: xs:dateTime forms with a 4-digit year, UTC when no offset', () => {
  const ok: [string, string][] = [
    ['2026-03-01T10:15:00Z', '2026-03-01T10:15:00.000Z'],
    ['2026-03-01T10:15:00', '2026-03-01T10:15:00.000Z'],
    ['2026-03-01T10:15:00.5-03:30', '2026-03-01T13:45:00.500Z'],
    ['2026-03-01T10:15:00.123999+14:00', '2026-02-28T20:15:00.123Z'],
    ['2024-02-29T23:59:59-00:00', '2024-02-29T23:59:59.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['0099-12-31T00:00:00Z', '0099-12-31T00:00:00.000Z'],
  ];
  for (const [text, iso] of ok) assert.equal(new Date(parseDateTime(text)!).toISOString(), iso, text);
  for (const bad of ['2026-02-29T00:00:00Z', '2026-03-01T24:00:00Z', '2026-03-01T10:60:00Z', '2026-03-01T10:15:60Z',
    '2026-03-01T10:15Z', '2026-03-01 10:15:00Z', '2026-03-01t10:15:00z', '0000-01-01T00:00:00Z', '20260301T101500Z',
    '2026-03-01T10:15:00+14:01', '2026-03-01T10:15:00+01:60', '2026-03-01T10:15:00+0100', '2026-03-01T10:15:00.Z',
    '2026-3-01T10:15:00Z', '+2026-03-01T10:15:00Z', '2026-03-01T10:15:00ZZ', '']) {
    assert.equal(parseDateTime(bad), null, bad);
  }
  assert.ok(isCalendarDate('2024-02-29'));
  for (const bad of ['2023-02-29', '2026-04-31', '2026-00-10', '26-01-01', '2026-01-01T00:00:00Z']) assert.ok(!isCalendarDate(bad), bad);
});

test('the saxes parser keeps fast properties with the handlers the walker sets', () => {
  // Eight handlers turn it into a dictionary-mode object and the whole parse about 4x slower.
  const dir = mkdtempSync(join(tmpdir(), 'import-walker-'));
  try {
    const script = join(dir, 'check.mts');
    const url = (rel: string) => JSON.stringify(new URL(rel, import.meta.url).href);
    writeFileSync(script, [
      `const { SaxesParser } = await import(${url('../node_modules/saxes/saxes.js')});`,
      `const { ImportWalker } = await import(${url('../src/import/import-walker.ts')});`,
      `const { defaultImportLimits } = await import(${url('../src/shared/report-record.ts')});`,
      'const parser = new SaxesParser({ xmlns: false, position: true });',
      'new ImportWalker(parser, () => undefined, defaultImportLimits);',
      `parser.write('<Reports xmlns="${NS}"><Report><Summary>x</Summary></Report>');`,
      "process.stdout.write(String(new Function('o', 'return %HasFastProperties(o)')(parser)));",
    ].join('\n'));
    const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
    });
    assert.equal(out, 'true');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
