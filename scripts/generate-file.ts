/**
 * Writes realistic, reproducible import files (the format of schema/report-import.xsd) for tests,
 * benchmarks and load tests. The same options always give the same bytes. With the defaults a
 * report takes about 1.8 KB (ten fields written one per line), so 30,000 reports come to about 54 MB.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { IMPORT_NAMESPACE } from '../src/import/walker-base.ts';

export interface GenerateOptions {
  reports: number;
  /** PRNG seed; default 1 */
  seed?: number;
  /** FormName of the reports, cycled at random; default the three default forms */
  forms?: readonly string[];
  /** average Field elements per report, counting those inside repeater rows; default 10 */
  fieldsPerReport?: number;
}

export const DEFAULT_FORMS: readonly string[] = ['Occurrence Report', 'Hazard Report', 'Safety Observation'];

/** mulberry32: small, fast and good enough for test data. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

const WORDS = [
  'crew', 'reported', 'vibration', 'during', 'climb', 'the', 'aircraft', 'vessel', 'platform', 'was', 'on', 'final',
  'approach', 'when', 'a', 'flock', 'of', 'gulls', 'crossed', 'runway', 'engine', 'parameters', 'remained', 'normal',
  'inspection', 'found', 'damage', 'to', 'the', 'leading', 'edge', 'pilot', 'declared', 'PAN', 'tower', 'cleared',
  'deck', 'hand', 'slipped', 'near', 'winch', 'mooring', 'line', 'parted', 'under', 'load', 'gas', 'detector',
  'alarmed', 'at', 'compressor', 'skid', 'permit', 'to', 'work', 'was', 'suspended', 'isolation', 'verified',
  'R&D', 'team', '<5 kt', 'crosswind', 'crew\'s', 'checklist', '"quoted"', 'x>y', 'Zürich', 'Tromsø', 'Ålesund',
  'São Paulo', 'naïve', '−3 °C', 'µg/m³', 'hydraulic', 'pressure', 'dropped', 'after', 'pushback', 'ground', 'handler',
  'fatigue', 'visibility', 'fog', 'sea state', 'Beaufort 6', 'flare', 'stack', 'valve', 'leak', 'H₂S', 'evacuated',
  'muster', 'point', 'no', 'injuries', 'minor', 'first aid', 'given', 'contractor', 'supervisor', 'briefed',
];
const FIRST = ['j', 'm', 'a', 'k', 's', 'l', 'p', 'r', 'e', 'o'];
const LAST = ['smith', 'müller', 'øvergaard', 'garcía', 'okafor', 'nakamura', 'dubois', 'kowalski', 'andersen', 'silva'];
const SUMMARIES = [
  'Bird strike on final approach', 'Runway incursion by tug at holding point', 'Engine vibration during climb',
  'Dropped object from pipe deck', 'Gas release at compressor skid', 'Man overboard drill finding',
  'Mooring line parted during berthing', 'Slip on wet helideck stairs', 'Smoke in cabin after landing',
  'Permit to work not displayed', 'Fuel spill at stand 14 (<5 L)', 'Near miss with crane load & scaffold',
  'Unsecured gas cylinders in workshop', 'Lightning strike during descent', 'Steering gear alarm in Øresund',
];
const CATEGORIES = ['Flight Operations', 'Ground Handling', 'Maintenance', 'Marine Operations', 'Process Safety', 'Occupational Safety', 'Environment'];
const ORIGINS = ['Flight BA123', 'Flight SK1467', 'MV Nordic Star', 'MV Årdal', 'Platform Bravo', 'Hornsea Substation', 'Hangar 3', 'Stand 14'];
const OWNERS = ['safety.office', 'flight.ops', 'marine.hse', 'process.safety', 'quality'];
const SECTIONS = ['Event', 'Flight details', 'Location', 'Assessment', 'People', 'Actions'];

type Gen = (r: () => number) => string;
interface FieldTemplate { label: string; type: string; section?: string; value?: Gen; values?: string[]; rows?: FieldTemplate[] }

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)];
const words = (r: () => number, min: number, max: number): string => {
  const n = min + Math.floor(r() * (max - min + 1));
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(pick(r, WORDS));
  const s = out.join(' ');
  return s.charAt(0).toUpperCase() + s.slice(1) + '.';
};
const options = (list: string[]): Gen => (r) => pick(r, list);
const number = (min: number, max: number, decimals: number): Gen => (r) => (min + r() * (max - min)).toFixed(decimals);
const day: Gen = (r) => isoDate(Date.UTC(2024, 0, 1) + Math.floor(r() * 900) * 86_400_000).slice(0, 10);
const moment: Gen = (r) => isoDate(Date.UTC(2024, 0, 1) + Math.floor(r() * 900 * 86_400) * 1000).slice(0, 19) + 'Z';

const FORM_FIELDS: Record<string, FieldTemplate[]> = {
  'Occurrence Report': [
    { label: 'Occurrence type', type: 'SelectList', section: 'Event', value: options(['Bird strike', 'Runway incursion', 'Engine failure', 'Fire/smoke', 'Collision', 'Man overboard', 'Gas release']) },
    { label: 'Date of occurrence', type: 'Date', value: day },
    { label: 'Time of occurrence', type: 'DateTime', value: moment },
    { label: 'Location', type: 'Location', value: options(['EGLL RWY 27L', '51.4700,-0.4543', 'North Sea, Platform Bravo', 'Port of Rotterdam, berth 12', 'Tromsø lufthavn']) },
    { label: 'Altitude (ft)', type: 'Numerical', section: 'Flight details', value: number(0, 41000, 0) },
    { label: 'Wind speed (kt)', type: 'Numerical', value: number(0, 60, 0) },
    { label: 'Outside air temperature (°C)', type: 'Numerical', value: number(-40, 35, 1) },
    { label: 'Description', type: 'TextArea', value: (r) => words(r, 6, 18) },
    { label: 'Contributing factors', type: 'CheckList', section: 'Assessment', values: ['Weather', 'Wildlife', 'Fatigue', 'Procedures', 'Equipment', 'Communication'] },
    { label: 'Injuries', type: 'RadioGroup', value: options(['None', 'Minor', 'Serious', 'Fatal']) },
    { label: 'Immediate actions', type: 'TextBox', value: (r) => words(r, 3, 8) },
    { label: 'Witnesses', type: 'SectionRepeater', section: 'People', rows: [
      { label: 'Name', type: 'TextBox', value: (r) => `${pick(r, FIRST).toUpperCase()}. ${pick(r, LAST)}` },
      { label: 'Role', type: 'SelectList', value: options(['Captain', 'First officer', 'Cabin crew', 'Deck officer', 'Technician']) },
      { label: 'Statement', type: 'TextArea', value: (r) => words(r, 3, 10) },
    ] },
  ],
  'Hazard Report': [
    { label: 'Hazard category', type: 'SelectList', value: options(['Slips, trips & falls', 'Dropped objects', 'Hazardous substances', 'Electrical', 'Working at height']) },
    { label: 'Area', type: 'Location', value: options(['Module M12 mezzanine', 'Hangar 3 bay 2', 'Engine room', 'Tank farm T-401', 'Apron stand 14']) },
    { label: 'Identified on', type: 'Date', value: day },
    { label: 'Likelihood', type: 'RadioGroup', section: 'Assessment', value: options(['Rare', 'Unlikely', 'Possible', 'Likely', 'Almost certain']) },
    { label: 'Severity', type: 'RadioGroup', section: 'Assessment', value: options(['Negligible', 'Minor', 'Moderate', 'Major', 'Catastrophic']) },
    { label: 'Risk score', type: 'Numerical', value: number(1, 25, 0) },
    { label: 'Hazard description', type: 'TextArea', value: (r) => words(r, 6, 18) },
    { label: 'Existing controls', type: 'CheckList', values: ['Signage', 'Barriers', 'PPE', 'Permit to work', 'Gas detection', 'Training'] },
    { label: 'Proposed mitigation', type: 'TextArea', value: (r) => words(r, 4, 12) },
    { label: 'Reported to supervisor', type: 'RadioGroup', value: options(['Yes', 'No']) },
    { label: 'Affected equipment', type: 'SectionRepeater', rows: [
      { label: 'Tag number', type: 'TextBox', value: (r) => `${pick(r, ['PV', 'XV', 'FT', 'P'])}-${100 + Math.floor(r() * 900)}` },
      { label: 'Condition', type: 'SelectList', value: options(['Serviceable', 'Degraded', 'Failed']) },
      { label: 'Inspections', type: 'SectionRepeater', rows: [
        { label: 'Inspected on', type: 'Date', value: day },
        { label: 'Result', type: 'TextBox', value: (r) => words(r, 2, 6) },
      ] },
    ] },
  ],
  'Safety Observation': [
    { label: 'Observation type', type: 'RadioGroup', value: options(['Safe act', 'Unsafe act', 'Unsafe condition']) },
    { label: 'Work activity', type: 'SelectList', value: options(['Lifting', 'Hot work', 'Refuelling', 'Line maintenance', 'Mooring', 'Confined space entry']) },
    { label: 'Observed at', type: 'DateTime', value: moment },
    { label: 'Site', type: 'Location', value: options(['Aberdeen heliport', 'Hornsea 2 OSS', 'Bergen, Dokken quay', 'Oslo Gardermoen apron']) },
    { label: 'What was observed', type: 'TextArea', value: (r) => words(r, 6, 18) },
    { label: 'PPE checked', type: 'CheckList', values: ['Hard hat', 'Gloves', 'Hearing protection', 'Life jacket', 'Hi-vis', 'Safety glasses'] },
    { label: 'People involved', type: 'Numerical', value: number(1, 12, 0) },
    { label: 'Follow-up required', type: 'RadioGroup', value: options(['Yes', 'No']) },
    { label: 'Feedback given', type: 'TextBox', value: (r) => words(r, 3, 8) },
    { label: 'Observer comments', type: 'TextArea', value: (r) => words(r, 4, 14) },
  ],
};

/** Repeaters are the exception in real data, and large: they are kept this much less often. */
const REPEATER_WEIGHT = 0.3;

function isoDate(ms: number): string {
  return new Date(ms).toISOString();
}

function hex(r: () => number, digits: number): string {
  let s = '';
  while (s.length < digits) s += Math.floor(r() * 0x100000000).toString(16).padStart(8, '0');
  return s.slice(0, digits);
}

/** Report ids: random bits plus the report's number in the last 12 digits, so they never repeat. */
function reportId(r: () => number, n: number, salt: number): string {
  const tail = ((n + salt) % 0x1000000000000).toString(16).padStart(12, '0');
  const h = hex(r, 20);
  const dashed = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${h.slice(16, 20)}-${tail}`;
  const style = r();
  // Mostly the canonical form, some upper-case or undashed: the parser normalises them.
  if (style < 0.05) return dashed.toUpperCase();
  if (style < 0.1) return dashed.replace(/-/g, '');
  return dashed;
}

function offsetDate(r: () => number, ms: number): string {
  const style = r();
  if (style < 0.7) return isoDate(ms).slice(0, 19) + 'Z';
  if (style < 0.85) return isoDate(ms).slice(0, 19);
  if (style < 0.95) return isoDate(ms + 3_600_000).slice(0, 19) + '+01:00';
  return isoDate(ms).slice(0, 23) + 'Z';
}

/** One Field per line (as exporting tools tend to write them); repeater rows on lines of their own. */
function writeField(out: string[], r: () => number, t: FieldTemplate, indent: string, depth: number): void {
  out.push(`${indent}<Field><Label>${escapeXml(t.label)}</Label><FieldType>${t.type}</FieldType>`);
  if (t.section !== undefined) out.push(`<SectionName>${escapeXml(t.section)}</SectionName>`);
  if (t.values !== undefined) {
    const ticked = t.values.filter(() => r() < 0.3);
    if (ticked.length === 0) ticked.push(pick(r, t.values));
    out.push(`<Values>${ticked.map((v) => `<Value>${escapeXml(v)}</Value>`).join('')}</Values></Field>\n`);
  } else if (t.rows !== undefined) {
    out.push('<Rows>\n');
    const rows = 1 + Math.floor(r() * 2);
    for (let i = 0; i < rows; i++) {
      out.push(`${indent}  <Row><Fields>\n`);
      for (const c of t.rows) {
        if (c.rows !== undefined && (depth >= 3 || r() < 0.6)) continue;
        writeField(out, r, c, `${indent}    `, depth + 1);
      }
      out.push(`${indent}  </Fields></Row>\n`);
    }
    out.push(`${indent}</Rows></Field>\n`);
  } else {
    out.push(`<Value>${escapeXml(t.value!(r))}</Value></Field>\n`);
  }
}

function writeReport(out: string[], r: () => number, n: number, salt: number, forms: readonly string[], fieldsPerReport: number): void {
  const form = pick(r, forms);
  const raised = Date.UTC(2024, 0, 1) + Math.floor(r() * 900 * 86_400) * 1000;
  const submitted = raised + Math.floor(r() * 6 * 3_600) * 1000;
  const statusRoll = r();
  const status = statusRoll < 0.05 ? 'Draft' : statusRoll < 0.4 ? 'New' : statusRoll < 0.85 ? 'Open' : 'Closed';
  out.push(`  <Report>\n    <ReportId>${reportId(r, n, salt)}</ReportId>\n    <FormName>${escapeXml(form)}</FormName>\n`);
  out.push(`    <Summary>${escapeXml(pick(r, SUMMARIES))}</Summary>\n`);
  if (status !== 'New' || r() < 0.5) out.push(`    <ReportStatus>${status}</ReportStatus>\n`);
  if (r() < 0.8) out.push(`    <Category>${escapeXml(pick(r, CATEGORIES))}</Category>\n`);
  out.push(`    <RaisedBy>${escapeXml(`${pick(r, FIRST)}.${pick(r, LAST)}`)}</RaisedBy>\n`);
  if (r() < 0.7) out.push(`    <Owner>${pick(r, OWNERS)}</Owner>\n`);
  if (r() < 0.7) out.push(`    <RaisedFrom>${escapeXml(pick(r, ORIGINS))}</RaisedFrom>\n`);
  out.push(`    <RaisedDate>${offsetDate(r, raised)}</RaisedDate>\n`);
  if (status !== 'Draft') out.push(`    <SubmittedDate>${isoDate(submitted).slice(0, 19)}Z</SubmittedDate>\n`);
  if (status === 'Closed') {
    out.push(`    <ClosedDate>${isoDate(submitted + Math.floor(r() * 30 * 86_400) * 1000).slice(0, 19)}Z</ClosedDate>\n`);
    out.push(`    <ClosedBy>${pick(r, OWNERS)}</ClosedBy>\n`);
  }
  const mandatoryRoll = r();
  if (mandatoryRoll < 0.6) out.push(`    <IsMandatory>${mandatoryRoll < 0.2 ? 'true' : 'false'}</IsMandatory>\n`);
  const templates = FORM_FIELDS[form] ?? FORM_FIELDS[DEFAULT_FORMS[n % DEFAULT_FORMS.length]];
  // Each template field is kept with the probability that gives `fieldsPerReport` Field elements on
  // average, counting those inside repeater rows (1.5 rows on average).
  const weight = templates.reduce((sum, t) => sum + (t.rows === undefined ? 1 : REPEATER_WEIGHT * (1 + 1.5 * t.rows.length)), 0);
  const keep = Math.min(1, fieldsPerReport / weight);
  const extra = fieldsPerReport > templates.length ? fieldsPerReport - templates.length : 0;
  out.push('    <Fields>\n');
    for (const t of templates) {
    if (r() < (t.rows === undefined ? keep : keep * REPEATER_WEIGHT)) writeField(out, r, t, '      ', 1);
  }
  for (let i = 0; i < extra; i++) {
    writeField(out, r, { label: `Note ${i + 1}`, type: 'TextBox', section: pick(r, SECTIONS), value: (g) => words(g, 3, 12) }, '      ', 1);
  }
  out.push('    </Fields>\n  </Report>\n');
}

/** The file as string chunks of about `chunkChars` characters. */
export function* generateImportChunks(opts: GenerateOptions, chunkChars = 64 * 1024): Generator<string> {
  const r = prng(opts.seed ?? 1);
  const forms = opts.forms ?? DEFAULT_FORMS;
  const fieldsPerReport = opts.fieldsPerReport ?? 10;
  const salt = Math.floor(r() * 0x100000000);
  let out: string[] = [`<?xml version="1.0" encoding="utf-8"?>\n<Reports xmlns="${IMPORT_NAMESPACE}">\n`];
  let size = 0;
  for (let n = 0; n < opts.reports; n++) {
    const before = out.length;
    writeReport(out, r, n, salt, forms, fieldsPerReport);
    for (let i = before; i < out.length; i++) size += out[i].length;
    if (size >= chunkChars) {
      yield out.join('');
      out = [];
      size = 0;
    }
  }
  out.push('</Reports>\n');
  yield out.join('');
}

/** Writes the file to `stream`, honouring back-pressure; resolves with the bytes written. */
export async function writeImportFile(stream: Writable, opts: GenerateOptions): Promise<number> {
  let bytes = 0;
  for (const chunk of generateImportChunks(opts)) {
    bytes += Buffer.byteLength(chunk);
    if (!stream.write(chunk)) await once(stream, 'drain');
  }
  return bytes;
}

/** The whole file in memory. */
export function generateImportFile(opts: GenerateOptions): Buffer {
  return Buffer.from([...generateImportChunks(opts, 1 << 20)].join(''));
}
