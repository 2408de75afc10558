/**
 * schema/report-import.xsd and parseImportFile must judge files alike wherever XSD 1.0 can express
 * the rule. All files go to xmllint (libxml2 as WebAssembly) in one call: starting its worker is
 * most of the cost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { validateXML } from 'xmllint-wasm';
import { generateImportFile } from '../scripts/generate-file.ts';
import { parseImportFile } from '../src/import/parse-import-file.ts';
import { defaultImportLimits, type FormRef } from '../src/shared/report-record.ts';

const NS = 'urn:coruson:reports:import:1';
const xsd = readFileSync(new URL('../schema/report-import.xsd', import.meta.url), 'utf8');
const sample = readFileSync(new URL('../schema/sample-reports.xml', import.meta.url), 'utf8');
const FORMS = new Map<string, FormRef>([
  ['occurrence report', { pk: 1, name: 'Occurrence Report', active: true }],
  ['hazard report', { pk: 2, name: 'Hazard Report', active: true }],
  ['safety observation', { pk: 3, name: 'Safety Observation', active: true }],
]);

const FIELD = '<Field><Label>Altitude (ft)</Label><FieldType>Numerical</FieldType><Value>1200</Value></Field>';
const BASE = {
  ReportId: '5b8f9c1e-1d2a-4c3b-9e7f-0a1b2c3d4e5f', FormName: 'Occurrence Report', Summary: 'Bird strike',
  RaisedBy: 'j.smith', RaisedDate: '2026-03-01T10:15:00Z',
};

function file(set: Record<string, string | null> = {}, fields: string | null = FIELD, extra = ''): string {
  const children = Object.entries({ ...BASE, ...set }).filter(([, v]) => v !== null).map(([k, v]) => `<${k}>${v}</${k}>`);
  const f = fields === null ? '' : `<Fields>${fields}</Fields>`;
  return `<?xml version="1.0" encoding="utf-8"?>\n<Reports xmlns="${NS}">\n<Report>${children.join('')}${extra}${f}</Report>\n</Reports>\n`;
}
const withField = (inner: string): string => file({}, `<Field>${inner}</Field>`);

const valid: Record<string, string> = {
  'sample.xml': sample,
  'generated-300.xml': generateImportFile({ reports: 300, seed: 11 }).toString('utf8'),
  'edge-values.xml': file({
    ReportId: ' 5B8F9C1E1D2A4C3B9E7F0A1B2C3D4E5F\n', Summary: `  ${'😀'.repeat(500)}  `, Category: '  ',
    RaisedDate: '2026-03-01T10:15:00.123456', SubmittedDate: '2026-03-01T12:16:00+02:00', IsMandatory: ' 1 ',
    ReportStatus: ' Closed ', ClosedDate: '2026-03-05T00:00:00-00:00', ClosedBy: 'x', Owner: '<![CDATA[a & b]]>',
  }),
  'reordered.xml': `<Reports xmlns="${NS}"><Report><Fields/><RaisedDate>2026-03-01T10:15:00Z</RaisedDate><RaisedBy>a</RaisedBy>` +
    `<Summary>s</Summary><FormName>Hazard Report</FormName><ReportId>${BASE.ReportId}</ReportId></Report></Reports>`,
  'prefixed.xml': file().replace(/<(\/?)([A-Z]\w*)/g, '<$1r:$2').replace(`xmlns="${NS}"`, `xmlns:r="${NS}"`),
  'schema-location.xml': file().replace('<Reports ', `<Reports xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${NS} report-import.xsd" `),
};

const invalid: Record<string, string> = {
  'missing-raised-by.xml': file({ RaisedBy: null }),
  'missing-report-id.xml': file({ ReportId: null }),
  'unknown-element.xml': file({}, FIELD, '<Sumary>typo</Sumary>'),
  'unknown-field-child.xml': withField('<Label>a</Label><FieldType>TextBox</FieldType><Value>x</Value><Note>n</Note>'),
  'bad-guid.xml': file({ ReportId: '5b8f9c1e-1d2a-4c3b-9e7f-0a1b2c3d4e5' }),
  'bad-date.xml': file({ RaisedDate: '2026-13-01T10:15:00Z' }),
  'date-without-seconds.xml': file({ SubmittedDate: '2026-03-01T10:15Z' }),
  'february-30.xml': file({ RaisedDate: '2026-02-30T10:15:00Z' }),
  'bad-status.xml': file({ ReportStatus: 'Pending' }),
  'bad-field-type.xml': withField('<Label>a</Label><FieldType>Text</FieldType><Value>x</Value>'),
  'bad-boolean.xml': file({ IsMandatory: 'yes' }),
  'summary-too-long.xml': file({ Summary: 'x'.repeat(501) }),
  'summary-blank.xml': file({ Summary: ' \n\t ' }),
  'label-too-long.xml': withField(`<Label>${'l'.repeat(201)}</Label><FieldType>TextBox</FieldType><Value>x</Value>`),
  'category-too-long.xml': file({ Category: 'c'.repeat(201) }),
  'empty-values.xml': withField('<Label>a</Label><FieldType>CheckList</FieldType><Values/>'),
  'blank-checklist-item.xml': withField('<Label>a</Label><FieldType>CheckList</FieldType><Values><Value> </Value></Values>'),
  'empty-rows.xml': withField('<Label>a</Label><FieldType>SectionRepeater</FieldType><Rows/>'),
  'row-without-fields.xml': withField('<Label>a</Label><FieldType>SectionRepeater</FieldType><Rows><Row/></Rows>'),
  'value-and-values.xml': withField('<Label>a</Label><FieldType>TextBox</FieldType><Value>x</Value><Values><Value>y</Value></Values>'),
  'no-answer.xml': withField('<Label>a</Label><FieldType>TextBox</FieldType>'),
  'field-order.xml': withField('<FieldType>TextBox</FieldType><Label>a</Label><Value>x</Value>'),
  'repeated-summary.xml': file({}, FIELD, '<Summary>again</Summary>'),
  'attribute.xml': file().replace('<Report>', '<Report id="1">'),
  'text-in-report.xml': file({}, FIELD, 'stray text'),
  'no-reports.xml': `<Reports xmlns="${NS}"/>`,
  'wrong-root.xml': `<Report xmlns="${NS}"/>`,
  'wrong-namespace.xml': file().replace(NS, 'urn:coruson:reports:import:2'),
  'child-in-other-namespace.xml': file().replace('<Report>', '<Report xmlns="urn:example:other">'),
};

/** Rules the XSD states only in its annotations: it accepts these files, the server does not. */
const serverOnly: Record<string, string> = {
  'unknown-form.xml': file({ FormName: 'Incident Report' }),
  'submitted-before-raised.xml': file({ SubmittedDate: '2026-03-01T10:14:59Z' }),
  'closed-without-closed-date.xml': file({ ReportStatus: 'Closed', ClosedBy: 'a' }),
  'closed-by-on-open.xml': file({ ReportStatus: 'Open', ClosedBy: 'a' }),
  'checklist-with-value.xml': withField('<Label>a</Label><FieldType>CheckList</FieldType><Value>x</Value>'),
  'numerical-not-a-number.xml': withField('<Label>a</Label><FieldType>Numerical</FieldType><Value>12 ft</Value>'),
  'duplicate-in-file.xml': file().replace('</Report>', `</Report><Report>${file().split('<Report>')[1].split('</Report>')[0]}</Report>`),
};

async function xmllintVerdicts(files: Record<string, string>): Promise<Map<string, boolean>> {
  const result = await validateXML({
    xml: Object.entries(files).map(([fileName, contents]) => ({ fileName, contents })),
    schema: [xsd],
    // The default 16 MiB of wasm memory runs out after a few MB of input.
    maxMemoryPages: 8192,
  });
  const verdicts = new Map<string, boolean>();
  for (const name of Object.keys(files)) {
    assert.ok(result.rawOutput.includes(name), `xmllint said nothing about ${name}`);
    // xmllint prints "<file> validates" or "<file> fails to validate"; a file that is not even
    // well-formed gets neither line.
    verdicts.set(name, new RegExp(`^${name.replace(/\./g, '\\.')} validates$`, 'm').test(result.rawOutput));
  }
  return verdicts;
}

async function serverAccepts(xml: string): Promise<boolean> {
  const outcome = await parseImportFile(Buffer.from(xml), {
    forms: (name) => FORMS.get(name.toLowerCase()),
    limits: defaultImportLimits,
  });
  return outcome.ok && outcome.duplicatesInFile.length === 0;
}

test('the XSD and the parser agree on valid, invalid and server-only files', async () => {
  const verdicts = await xmllintVerdicts({ ...valid, ...invalid, ...serverOnly });
  const disagreements: string[] = [];
  for (const [name, xml] of Object.entries(valid)) {
    if (!verdicts.get(name)) disagreements.push(`${name}: refused by the XSD`);
    if (!(await serverAccepts(xml))) disagreements.push(`${name}: refused by the parser`);
  }
  for (const [name, xml] of Object.entries(invalid)) {
    if (verdicts.get(name)) disagreements.push(`${name}: accepted by the XSD`);
    if (await serverAccepts(xml)) disagreements.push(`${name}: accepted by the parser`);
  }
  for (const [name, xml] of Object.entries(serverOnly)) {
    if (!verdicts.get(name)) disagreements.push(`${name}: the XSD should leave this rule to the server`);
    if (await serverAccepts(xml)) disagreements.push(`${name}: accepted by the parser`);
  }
  assert.deepEqual(disagreements, []);
});

test('documented difference: a file in no namespace is accepted by the server only', async () => {
  const plain = file().replace(` xmlns="${NS}"`, '');
  const verdicts = await xmllintVerdicts({ 'no-namespace.xml': plain });
  assert.equal(verdicts.get('no-namespace.xml'), false);
  assert.equal(await serverAccepts(plain), true);
});
