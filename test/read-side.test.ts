import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { bearer, startServer, waitForImport, type TestServer } from './support/server.ts';
import { importBody } from './support/xml.ts';
import { tokenHash } from '../src/shared/secrets.ts';

/** A report of the fixture, written with every element the format has. */
interface Fixture {
  id: string;
  form: string;
  summary: string;
  status: string;
  raised: string;
  submitted?: string;
  closed?: [string, string];
  category?: string;
  raisedFrom?: string;
  owner?: string;
  raisedBy: string;
  mandatory: boolean;
  fields: string;
}

const field = (label: string, type: string, value: string, section?: string) =>
  `<Field><Label>${label}</Label><FieldType>${type}</FieldType>${section ? `<SectionName>${section}</SectionName>` : ''}${value}</Field>`;
const v = (x: string) => `<Value>${x}</Value>`;

const R = {
  r1: {
    id: randomUUID(), form: 'Occurrence Report', summary: 'Bird strike on final approach', status: 'Open', raised: '2026-03-01T10:15:00Z',
    submitted: '2026-03-01T11:00:00Z', category: 'Flight Operations', raisedFrom: 'Flight BA123', owner: 'safety.office', raisedBy: 'j.smith',
    mandatory: true,
    fields: field('Altitude (ft)', 'Numerical', v('1200'), 'Flight details') +
      field('Contributing factors', 'CheckList', '<Values><Value>Weather</Value><Value>Wildlife</Value></Values>', 'Flight details') +
      field('Notes', 'TextBox', v('Zürich tower informed'), 'Event') +
      field('Persons involved', 'SectionRepeater', `<Rows><Row><Fields>${field('Role', 'SelectList', v('Pilot'))}</Fields></Row></Rows>`, 'People'),
  },
  r2: {
    id: randomUUID(), form: 'Hazard Report', summary: 'Runway incursion by tug', status: 'New', raised: '2026-03-02T08:00:00Z',
    submitted: '2026-03-03T09:00:00Z', category: 'Ground Handling', raisedBy: 'm.müller', mandatory: false,
    fields: field('Found on', 'Date', v('2026-03-02')) + field('Severity', 'SelectList', v('High')),
  },
  r3: {
    id: randomUUID(), form: 'Occurrence Report', summary: 'Engine vibration during climb', status: 'Closed', raised: '2026-03-04T23:30:00Z',
    submitted: '2026-03-05T00:10:00Z', closed: ['2026-03-05T12:00:00Z', 's.officer'], raisedBy: 'k.nakamura', mandatory: true, fields: '',
  },
  r4: {
    id: randomUUID(), form: 'Safety Observation', summary: 'Slip on wet helideck stairs', status: 'Draft', raised: '2026-02-28T12:00:00Z',
    raisedBy: 'a.silva', mandatory: false, fields: '',
  },
  r5: {
    id: randomUUID(), form: 'Occurrence Report', summary: 'ZÜRICH approach go-around', status: 'Open', raised: '2026-03-10T07:00:00Z',
    submitted: '2026-03-10T10:00:00Z', owner: 'Flight.Ops', raisedBy: 'j.smith', mandatory: false,
    fields: field('ALTITUDE (FT)', 'Numerical', v('3000'), 'Flight details'),
  },
} satisfies Record<string, Fixture>;
const all = [R.r1, R.r2, R.r3, R.r4, R.r5];

function reportXml(r: Fixture): string {
  const opt = (name: string, x?: string) => (x === undefined ? '' : `<${name}>${x}</${name}>`);
  return `<Report><ReportId>${r.id}</ReportId><FormName>${r.form}</FormName><Summary>${r.summary}</Summary>` +
    `<ReportStatus>${r.status}</ReportStatus>${opt('Category', r.category)}<RaisedBy>${r.raisedBy}</RaisedBy>${opt('Owner', r.owner)}` +
    `${opt('RaisedFrom', r.raisedFrom)}<RaisedDate>${r.raised}</RaisedDate>${opt('SubmittedDate', r.submitted)}` +
    `${r.closed ? `<ClosedDate>${r.closed[0]}</ClosedDate><ClosedBy>${r.closed[1]}</ClosedBy>` : ''}` +
    `<IsMandatory>${r.mandatory}</IsMandatory>${r.fields ? `<Fields>${r.fields}</Fields>` : ''}</Report>`;
}
const fileOf = (reports: Fixture[]) =>
  `<?xml version="1.0" encoding="utf-8"?><Reports xmlns="urn:coruson:reports:import:1">${reports.map(reportXml).join('')}</Reports>`;

let s: TestServer;
let orgId: number;
let importId: string;
/** a second organisation, with a report of its own */
let other: { key: string; reportId: string };

async function importFile(key: string, xml: string): Promise<string> {
  const res = await fetch(`${s.api}/reports/import`, {
    method: 'POST', headers: { ...bearer(key), 'content-type': 'application/json' }, body: importBody(xml),
  });
  assert.equal(res.status, 200);
  const id = (await res.json()).ImportId as string;
  const done = await waitForImport({ ...s, apiKey: key }, id);
  assert.equal(done.StatusDescription, 'Completed');
  return id;
}

before(async () => {
  s = await startServer();
  orgId = (await s.store.findOrganisation(s.organisation))!.id;
  importId = await importFile(s.apiKey, fileOf(all));
  const org = await s.store.createOrganisation('Other Shipping', Date.now());
  for (const f of [['Occurrence Report', 'OCC'], ['Hazard Report', 'HAZ']]) await s.store.createForm({ orgId: org.id, name: f[0], numberPrefix: f[1], now: Date.now() });
  const user = await s.store.createUser({ orgId: org.id, userName: 'other.admin', passwordHash: null, now: Date.now() });
  const key = 'ck_other_org_key_0123456789abcdef';
  await s.store.createApiKey({ userId: user.userId, keyHash: tokenHash(key), now: Date.now() });
  other = { key, reportId: randomUUID() };
  await importFile(key, fileOf([{ ...R.r1, id: other.reportId, summary: 'Bird strike at Other Shipping' }]));
});
after(async () => { await s.close(); });

async function get(path: string, key = s.apiKey): Promise<{ status: number; body: any }> {
  const res = await fetch(path.startsWith('http') ? path : `${s.api}${path}`, { headers: bearer(key) });
  return { status: res.status, body: await res.json() };
}
async function reports(query: string): Promise<string[]> {
  const { status, body } = await get(`/reports?${query}`);
  assert.equal(status, 200, JSON.stringify(body));
  return body.Reports.map((r: { ReportId: string }) => r.ReportId);
}
const ids = (...rs: Fixture[]) => rs.map((r) => r.id);

describe('GetReports', () => {
  test('without filters: every numbered report of the organisation, in import order, with every member', async () => {
    const { status, body } = await get('/reports');
    assert.equal(status, 200);
    assert.equal(body.TotalResults, 5);
    assert.equal(body.Skip, 0);
    assert.equal(body.Take, 100);
    assert.deepEqual(body.Links, []);
    assert.deepEqual(body.Reports.map((r: { ReportId: string }) => r.ReportId), ids(...all));
    assert.deepEqual(body.Reports.map((r: { Number: string }) => r.Number), ['OCC-0001', 'HAZ-0001', 'OCC-0002', 'OBS-0001', 'OCC-0003']);
    const forms = (await get('/forms')).body.Forms as Array<{ Name: string; FormId: string }>;
    assert.deepEqual(body.Reports[0], {
      ReportId: R.r1.id, Number: 'OCC-0001', FormId: forms.find((f) => f.Name === 'Occurrence Report')!.FormId, FormName: 'Occurrence Report',
      Summary: R.r1.summary, ReportStatus: 'Open', Category: 'Flight Operations', RaisedFrom: 'Flight BA123', Owner: 'safety.office',
      RaisedBy: 'j.smith', RaisedDate: '2026-03-01T10:15:00Z', SubmittedDate: '2026-03-01T11:00:00Z', IsMandatory: true, ImportId: importId,
    });
    assert.equal(body.Reports[2].ClosedDate, '2026-03-05T12:00:00Z');
    assert.equal(body.Reports[2].ClosedBy, 's.officer');
    assert.equal(body.Reports[3].SubmittedDate, undefined);
  });

  test('Number matches a substring of the number, case-insensitively', async () => {
    assert.deepEqual(await reports('Number=OCC-0002'), ids(R.r3));
    assert.deepEqual(await reports('Number=occ-000'), ids(R.r1, R.r3, R.r5));
    assert.deepEqual(await reports('Number=C-0003'), ids(R.r5));
    assert.deepEqual(await reports('Number=0001'), ids(R.r1, R.r2, R.r4));
    assert.deepEqual(await reports('Number=haz'), ids(R.r2));
    assert.deepEqual(await reports('Number=-'), ids(...all));
    assert.deepEqual(await reports('Number=OCC-00x'), []);
    assert.deepEqual(await reports('Number=XYZ-0001'), []);
  });

  test('form, text and people filters are case-insensitive substrings, also beyond ASCII', async () => {
    const forms = (await get('/forms')).body.Forms as Array<{ Name: string; FormId: string }>;
    assert.deepEqual(await reports(`FormId=${forms.find((f) => f.Name === 'Hazard Report')!.FormId}`), ids(R.r2));
    assert.deepEqual(await reports('FormName=REPORT'), ids(R.r1, R.r2, R.r3, R.r5));
    assert.deepEqual(await reports('Summary=zürich'), ids(R.r5));
    assert.deepEqual(await reports('Summary=STRIKE'), ids(R.r1));
    assert.deepEqual(await reports('Summary=100%25'), []);
    assert.deepEqual(await reports('Category=ground'), ids(R.r2));
    assert.deepEqual(await reports('RaisedFrom=ba123'), ids(R.r1));
    assert.deepEqual(await reports('Owner=FLIGHT.OPS'), ids(R.r5));
    assert.deepEqual(await reports('RaisedBy=MÜLLER'), ids(R.r2));
    assert.deepEqual(await reports('ClosedBy=s.off'), ids(R.r3));
    assert.deepEqual(await reports(`ReportId=${R.r4.id.replace(/-/g, '').toUpperCase()}`), ids(R.r4));
  });

  test('status, NewAndOpen and IsMandatory', async () => {
    assert.deepEqual(await reports('ReportStatus=NewAndOpen'), ids(R.r1, R.r2, R.r5));
    assert.deepEqual(await reports('ReportStatus=closed'), ids(R.r3));
    assert.deepEqual(await reports('ReportStatus=Draft'), ids(R.r4));
    assert.deepEqual(await reports('ReportStatus=All'), ids(...all));
    assert.deepEqual(await reports('IsMandatory=True'), ids(R.r1, R.r3));
    assert.deepEqual(await reports('IsMandatory=False&ReportStatus=Open'), ids(R.r5));
  });

  test('date filters: a day, since and before with their default times', async () => {
    assert.deepEqual(await reports('RaisedDate=2026/03/04'), ids(R.r3));
    assert.deepEqual(await reports('RaisedDate=2026/03/04 23:00:00'), ids(R.r3));
    assert.deepEqual(await reports('SubmittedDate=2026/03/05'), ids(R.r3));
    assert.deepEqual(await reports('ClosedDate=2026/03/05'), ids(R.r3));
    assert.deepEqual(await reports('StartDate=2026/03/03'), ids(R.r2, R.r3, R.r5));
    assert.deepEqual(await reports('EndDate=2026/03/03'), ids(R.r1, R.r2));
    assert.deepEqual(await reports('StartDate=2026/03/03 09:00:01'), ids(R.r3, R.r5));
    assert.deepEqual(await reports('EndDate=2026/03/01 11:00:00'), ids(R.r1));
    assert.deepEqual(await reports('StartDate=2026/03/02&EndDate=2026/03/05'), ids(R.r2, R.r3));
    assert.deepEqual(await reports('SubmittedDate=2026/03/05&StartDate=2026/03/06'), []);
  });

  test('ordering: OrderBy, OrderByDesc, ThenBy and ThenByDesc, ties broken by import order', async () => {
    assert.deepEqual(await reports('OrderBy=RaisedDate'), ids(R.r4, R.r1, R.r2, R.r3, R.r5));
    assert.deepEqual(await reports('OrderByDesc=RaisedDate'), ids(R.r5, R.r3, R.r2, R.r1, R.r4));
    assert.deepEqual(await reports('OrderBy=Number'), ids(R.r2, R.r4, R.r1, R.r3, R.r5));
    assert.deepEqual(await reports('OrderBy=FormName'), ids(R.r2, R.r1, R.r3, R.r5, R.r4));
    assert.deepEqual(await reports('OrderBy=FormName&ThenByDesc=RaisedDate'), ids(R.r2, R.r5, R.r3, R.r1, R.r4));
    assert.deepEqual(await reports('OrderByDesc=FormName&ThenBy=RaisedDate'), ids(R.r4, R.r1, R.r3, R.r5, R.r2));
    // a ThenBy on the key already ordered by adds nothing
    assert.deepEqual(await reports('OrderByDesc=FormName&ThenBy=FormName'), await reports('OrderByDesc=FormName'));
    assert.deepEqual(await reports('OrderByDesc=FormName'), ids(R.r4, R.r5, R.r3, R.r1, R.r2));
    // OrderBy wins over OrderByDesc
    assert.deepEqual(await reports('OrderBy=RaisedDate&OrderByDesc=RaisedDate'), ids(R.r4, R.r1, R.r2, R.r3, R.r5));
    assert.deepEqual(await reports('OrderByDesc=Default'), ids(...all).reverse());
  });

  test('paging: Skip and Take, TotalResults on every page, links that keep the filters', async () => {
    const first = await get('/reports?Take=2&ReportStatus=All');
    assert.equal(first.body.TotalResults, 5);
    assert.deepEqual(first.body.Reports.map((r: { ReportId: string }) => r.ReportId), ids(R.r1, R.r2));
    assert.deepEqual(first.body.Links.map((l: { Name: string }) => l.Name), ['next']);
    const seen = [...first.body.Reports];
    let page = first;
    while (page.body.Links.some((l: { Name: string }) => l.Name === 'next')) {
      const next = page.body.Links.find((l: { Name: string }) => l.Name === 'next');
      assert.equal(next.Method, 'GET');
      page = await get(next.RequestUrl);
      assert.equal(page.status, 200);
      seen.push(...page.body.Reports);
    }
    assert.deepEqual(seen.map((r) => r.ReportId), ids(...all));
    assert.equal(page.body.Skip, 4);
    const previous = page.body.Links.find((l: { Name: string }) => l.Name === 'previous');
    assert.match(previous.RequestUrl, /[?&]Skip=2(&|$)/);

    const filtered = await get('/reports?ReportStatus=NewAndOpen&Take=1&OrderByDesc=RaisedDate');
    assert.equal(filtered.body.TotalResults, 3);
    const url = new URL(filtered.body.Links[0].RequestUrl);
    assert.equal(url.pathname, '/api/reports');
    assert.equal(url.searchParams.get('ReportStatus'), 'NewAndOpen');
    assert.equal(url.searchParams.get('OrderByDesc'), 'RaisedDate');
    assert.equal(url.searchParams.get('Skip'), '1');
    assert.deepEqual((await get(url.href)).body.Reports.map((r: { ReportId: string }) => r.ReportId), ids(R.r2));

    const beyond = await get('/reports?Skip=50');
    assert.equal(beyond.body.TotalResults, 5);
    assert.deepEqual(beyond.body.Reports, []);
    assert.deepEqual(beyond.body.Links.map((l: { Name: string }) => l.Name), ['previous']);
  });

  test('reports of another organisation are never seen', async () => {
    const mine = await get('/reports');
    assert.ok(!mine.body.Reports.some((r: { ReportId: string }) => r.ReportId === other.reportId));
    const theirs = await get('/reports', other.key);
    assert.deepEqual(theirs.body.Reports.map((r: { ReportId: string }) => r.ReportId), [other.reportId]);
    assert.equal(theirs.body.Reports[0].Number, 'OCC-0001');
    assert.deepEqual((await get(`/reports?ReportId=${R.r1.id}`, other.key)).body.Reports, []);
  });

  test('bad input: 400 naming the member, never a 500', async () => {
    const cases: Array<[string, string, string]> = [
      ['Take=0', 'Take', 'InclusiveBetween'],
      ['Take=101', 'Take', 'InclusiveBetween'],
      ['Skip=-1', 'Skip', 'GreaterThanOrEqual'],
      ['Take=ten', 'Take', 'SerializationException'],
      ['RaisedDate=2026-13-01', 'RaisedDate', 'InvalidDate'],
      ['StartDate=01/03/2026', 'StartDate', 'InvalidDate'],
      ['EndDate=2026/02/30', 'EndDate', 'InvalidDate'],
      ['ClosedDate=2026/03/01 24:00:00', 'ClosedDate', 'InvalidDate'],
      ['ReportStatus=Pending', 'ReportStatus', 'SerializationException'],
      ['IsMandatory=maybe', 'IsMandatory', 'SerializationException'],
      ['OrderBy=Colour', 'OrderBy', 'SerializationException'],
      ['ReportId=not-a-guid', 'ReportId', 'SerializationException'],
      ['FormId=42', 'FormId', 'SerializationException'],
    ];
    for (const [query, member, code] of cases) {
      const { status, body } = await get(`/reports?${query}`);
      assert.equal(status, 400, query);
      assert.equal(body.ResponseStatus.ErrorCode, code, query);
      assert.deepEqual(body.ResponseStatus.Errors.map((e: { FieldName: string }) => e.FieldName), [member], query);
      assert.ok(body.ResponseStatus.Message.length > 10, query);
    }
    const two = await get('/reports?RaisedDate=yesterday&EndDate=2026/1/1');
    assert.deepEqual(two.body.ResponseStatus.Errors.map((e: { FieldName: string }) => e.FieldName), ['RaisedDate', 'EndDate']);
    const anonymous = await fetch(`${s.api}/reports`);
    assert.equal(anonymous.status, 401);
  });
});

describe('GetReportFields', () => {
  async function fields(query: string, key = s.apiKey): Promise<any[]> {
    const { status, body } = await get(`/reports/fields?${query}`, key);
    assert.equal(status, 200, JSON.stringify(body));
    return body.ReportFields;
  }

  test('the fields of a report in file order, CheckList values as a list, section and field bank ids', async () => {
    const f = await fields(`ReportId=${R.r1.id}`);
    assert.deepEqual(f.map((x) => [x.Label, x.FieldType, x.Value ?? null, x.Values ?? null, x.SectionName ?? null]), [
      ['Altitude (ft)', 'Numerical', '1200', null, 'Flight details'],
      ['Contributing factors', 'CheckList', null, ['Weather', 'Wildlife'], 'Flight details'],
      ['Notes', 'TextBox', 'Zürich tower informed', null, 'Event'],
      ['Persons involved', 'SectionRepeater', null, null, 'People'],
      ['Role', 'SelectList', 'Pilot', null, null],
    ]);
    assert.ok(f.every((x) => x.ReportId === R.r1.id && /^[0-9a-f-]{36}$/.test(x.FieldId) && /^[0-9a-f-]{36}$/.test(x.FieldBankFieldId)));
    assert.equal(f[0].SectionId, f[1].SectionId);
    assert.notEqual(f[0].SectionId, f[2].SectionId);
    assert.equal(f[4].SectionId, undefined);
    assert.equal(new Set(f.map((x) => x.FieldId)).size, 5);

    // the same label (in any case) and type is the same field bank field in every report
    const altitude = await fields('Label=altitude');
    assert.deepEqual(altitude.map((x) => x.ReportId), ids(R.r1, R.r5));
    assert.equal(altitude[0].FieldBankFieldId, altitude[1].FieldBankFieldId);
    assert.deepEqual((await fields(`FieldBankFieldId=${altitude[0].FieldBankFieldId}`)).map((x) => x.Value), ['1200', '3000']);
    assert.notEqual(altitude[0].SectionId, altitude[1].SectionId);
  });

  test('filters, ordering and paging', async () => {
    const one = (await fields(`ReportId=${R.r1.id}`))[2];
    assert.deepEqual((await fields(`FieldId=${one.FieldId}`)).map((x) => x.Label), ['Notes']);
    assert.deepEqual((await fields('FieldType=CheckList')).map((x) => x.Label), ['Contributing factors']);
    assert.deepEqual((await fields('FieldType=Date')).map((x) => x.Value), ['2026-03-02']);
    assert.deepEqual((await fields('SectionName=FLIGHT')).map((x) => x.Label), ['Altitude (ft)', 'Contributing factors', 'ALTITUDE (FT)']);
    assert.deepEqual((await fields(`SectionId=${one.SectionId}`)).map((x) => x.Label), ['Notes']);
    assert.deepEqual((await fields(`ReportId=${R.r1.id}&OrderBy=Label`)).map((x) => x.Label),
      ['Altitude (ft)', 'Contributing factors', 'Notes', 'Persons involved', 'Role']);
    assert.deepEqual((await fields(`ReportId=${R.r1.id}&OrderByDesc=Label`)).map((x) => x.Label),
      ['Role', 'Persons involved', 'Notes', 'Contributing factors', 'Altitude (ft)']);
    const page = await get(`/reports/fields?Take=3&Skip=3`);
    assert.equal(page.body.TotalResults, 8);
    assert.equal(page.body.ReportFields.length, 3);
    assert.deepEqual(page.body.Links.map((l: { Name: string }) => l.Name), ['previous', 'next']);
    assert.deepEqual(await fields(`ReportId=${R.r1.id}`, other.key), []);
    assert.equal((await fields('', other.key)).length, 5);
  });

  test('bad input', async () => {
    for (const [query, member] of [['FieldType=Banana', 'FieldType'], ['Take=0', 'Take'], ['ReportId=x', 'ReportId'], ['OrderBy=Value', 'OrderBy']]) {
      const { status, body } = await get(`/reports/fields?${query}`);
      assert.equal(status, 400, query);
      assert.equal(body.ResponseStatus.Errors[0].FieldName, member, query);
    }
  });
});

describe('UpdateAdditionalField', () => {
  const put = (fieldId: string, body: unknown, key = s.apiKey) =>
    fetch(`${s.api}/reports/additionalFields/${fieldId}`, {
      method: 'PUT', headers: { ...bearer(key), 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
  const fieldOf = async (report: Fixture, label: string) =>
    ((await get(`/reports/fields?ReportId=${report.id}`)).body.ReportFields as any[]).find((f) => f.Label === label);

  test('a value that fits the field type is stored, and the change recorded with who, when, old and new', async () => {
    const altitude = await fieldOf(R.r1, 'Altitude (ft)');
    const before = Date.now();
    const res = await put(altitude.FieldId, { Value: ' 1350.5 ' });
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await res.json(), {});
    assert.equal((await fieldOf(R.r1, 'Altitude (ft)')).Value, '1350.5');
    const changes = await s.store.fieldChanges(orgId, altitude.FieldId);
    assert.equal(changes.length, 1);
    assert.equal(changes[0].userName, s.userName);
    assert.ok(changes[0].changedAt >= before && changes[0].changedAt <= Date.now());
    assert.deepEqual(changes[0].old, { value: '1200', values: null });
    assert.deepEqual(changes[0].new, { value: '1350.5', values: null });

    const factors = await fieldOf(R.r1, 'Contributing factors');
    assert.equal((await put(factors.FieldId, { Value: '["Fog","Wildlife"]' })).status, 200);
    assert.deepEqual((await fieldOf(R.r1, 'Contributing factors')).Values, ['Fog', 'Wildlife']);
    const found = await fieldOf(R.r2, 'Found on');
    // through the query string too, as ServiceStack binds it
    const viaQuery = await fetch(`${s.api}/reports/additionalFields/${found.FieldId}?Value=2026-03-03`, { method: 'PUT', headers: bearer(s.apiKey) });
    assert.equal(viaQuery.status, 200);
    assert.equal((await fieldOf(R.r2, 'Found on')).Value, '2026-03-03');
    assert.deepEqual((await s.store.fieldChanges(orgId, factors.FieldId))[0].old, { value: null, values: ['Weather', 'Wildlife'] });
  });

  test('a value of the wrong type, an unknown or foreign field: 400 or 404, nothing changed', async () => {
    const altitude = await fieldOf(R.r5, 'ALTITUDE (FT)');
    const cases: Array<[string, string, number, string, string?]> = [
      ['ALTITUDE (FT)', 'abc', 400, 'InvalidFieldValue', 'InvalidNumber'],
      ['ALTITUDE (FT)', '1e5', 400, 'InvalidFieldValue', 'InvalidNumber'],
      ['ALTITUDE (FT)', '', 400, 'InvalidFieldValue', 'Empty'],
    ];
    for (const [, value, status, code, fieldCode] of cases) {
      const res = await put(altitude.FieldId, { Value: value });
      assert.equal(res.status, status, value);
      const body = await res.json();
      assert.equal(body.ResponseStatus.ErrorCode, code);
      assert.equal(body.ResponseStatus.Errors[0].FieldName, 'Value');
      assert.equal(body.ResponseStatus.Errors[0].ErrorCode, fieldCode);
    }
    assert.equal((await fieldOf(R.r5, 'ALTITUDE (FT)')).Value, '3000');

    const found = await fieldOf(R.r2, 'Found on');
    const badDate = await (await put(found.FieldId, { Value: '2026-02-30' })).json();
    assert.equal(badDate.ResponseStatus.Errors[0].ErrorCode, 'InvalidDate');
    const notes = await fieldOf(R.r1, 'Notes');
    assert.equal((await (await put(notes.FieldId, { Value: 'x'.repeat(1001) })).json()).ResponseStatus.Errors[0].ErrorCode, 'TooLong');
    const factors = await fieldOf(R.r1, 'Contributing factors');
    assert.equal((await (await put(factors.FieldId, { Value: '[1, 2]' })).json()).ResponseStatus.Errors[0].ErrorCode, 'InvalidCheckList');
    assert.equal((await (await put(factors.FieldId, { Value: '[]' })).json()).ResponseStatus.Errors[0].ErrorCode, 'Empty');
    const repeater = await fieldOf(R.r1, 'Persons involved');
    const rep = await put(repeater.FieldId, { Value: 'x' });
    assert.equal(rep.status, 400);
    assert.equal((await rep.json()).ResponseStatus.ErrorCode, 'FieldNotUpdatable');

    const unknown = await put(randomUUID(), { Value: '1' });
    assert.equal(unknown.status, 404);
    assert.equal((await unknown.json()).ResponseStatus.ErrorCode, 'NotFound');
    const foreign = await put(altitude.FieldId, { Value: '1' }, other.key);
    assert.equal(foreign.status, 404);
    assert.equal((await fieldOf(R.r5, 'ALTITUDE (FT)')).Value, '3000');
    const badId = await put('not-a-guid', { Value: '1' });
    assert.equal(badId.status, 400);
    assert.equal((await badId.json()).ResponseStatus.Errors[0].FieldName, 'FieldId');
    const wrongVerb = await fetch(`${s.api}/reports/additionalFields/${altitude.FieldId}`, { method: 'POST', headers: bearer(s.apiKey) });
    assert.equal(wrongVerb.status, 405);
    assert.deepEqual(await s.store.fieldChanges(orgId, altitude.FieldId), []);
  });
});

describe('GetForms', () => {
  async function forms(query: string, key = s.apiKey): Promise<string[]> {
    const { status, body } = await get(`/forms?${query}`, key);
    assert.equal(status, 200, JSON.stringify(body));
    return body.Forms.map((f: { Name: string }) => f.Name);
  }

  test('the forms of the organisation with their filters, ordering and paging', async () => {
    const { body } = await get('/forms');
    assert.equal(body.TotalResults, 3);
    assert.deepEqual(body.Forms.map((f: { Name: string }) => f.Name), ['Occurrence Report', 'Hazard Report', 'Safety Observation']);
    const occ = body.Forms[0];
    assert.equal(occ.NumberPrefix, 'OCC');
    assert.equal(occ.Revision, 1);
    assert.equal(occ.Status, 'Active');
    assert.match(occ.FormRevisionId, /^[0-9a-f-]{36}$/);
    assert.deepEqual(await forms(`FormId=${occ.FormId}`), ['Occurrence Report']);
    assert.deepEqual(await forms(`FormRevisionId=${occ.FormRevisionId}`), ['Occurrence Report']);
    assert.deepEqual(await forms('FormName=report'), ['Occurrence Report', 'Hazard Report']);
    assert.deepEqual(await forms('OrderBy=Name'), ['Hazard Report', 'Occurrence Report', 'Safety Observation']);
    assert.deepEqual(await forms('OrderByDesc=Name&Take=2'), ['Safety Observation', 'Occurrence Report']);
    assert.deepEqual(await forms('Revision=1'), ['Occurrence Report', 'Hazard Report', 'Safety Observation']);
    assert.deepEqual(await forms('Revision=2'), []);
    assert.deepEqual(await forms('', other.key), ['Occurrence Report', 'Hazard Report']);
    const paged = await get('/forms?Take=1&Skip=1');
    assert.deepEqual(paged.body.Links.map((l: { Name: string }) => l.Name), ['previous', 'next']);
  });

  test('Status and IsDistributed', async () => {
    const haz = (await get('/forms?FormName=hazard')).body.Forms[0];
    const row = (await s.store.listForms(orgId)).find((f) => f.formId === haz.FormId)!;
    await s.store.setFormStatus(row.pk, 'Inactive');
    try {
      assert.deepEqual(await forms('Status=Inactive'), ['Hazard Report']);
      assert.deepEqual(await forms('Status=Active'), ['Occurrence Report', 'Safety Observation']);
      assert.deepEqual(await forms('IsDistributed=False'), ['Hazard Report']);
      assert.deepEqual(await forms('IsDistributed=True'), ['Occurrence Report', 'Safety Observation']);
      assert.deepEqual(await forms('IsDistributed=True&Status=Inactive'), []);
      assert.deepEqual(await forms('OrderBy=Owner&ThenByDesc=Name'), ['Safety Observation', 'Occurrence Report', 'Hazard Report']);
    } finally {
      await s.store.setFormStatus(row.pk, 'Active');
    }
  });

  test('bad input', async () => {
    for (const [query, member] of [['Status=Retired', 'Status'], ['Revision=0', 'Revision'], ['IsDistributed=yes', 'IsDistributed'], ['Take=101', 'Take']]) {
      const { status, body } = await get(`/forms?${query}`);
      assert.equal(status, 400, query);
      assert.equal(body.ResponseStatus.Errors[0].FieldName, member, query);
    }
  });
});
