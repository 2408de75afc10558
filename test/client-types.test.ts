import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { operations } from '../src/model/index.ts';
import { clientVerb } from '../src/host/metadata/type-graph.ts';
import { startServer, type TestServer } from './support/server.ts';
import { fileXml } from './support/xml.ts';

let s: TestServer;
let dir: string;
before(async () => {
  s = await startServer();
  // inside the project, so the compiled code resolves @servicestack/client from its node_modules
  mkdirSync(new URL('./.tmp/', import.meta.url), { recursive: true });
  dir = mkdtempSync(join(new URL('./.tmp/', import.meta.url).pathname, 'ts-dtos-'));
});
after(async () => {
  await s.close();
  rmSync(dir, { recursive: true, force: true });
});

async function download(query = ''): Promise<string> {
  const res = await fetch(`${s.api}/types/typescript${query}`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /^text\/plain/);
  return res.text();
}

function compile(files: Record<string, string>, outDir: string): readonly ts.Diagnostic[] {
  mkdirSync(outDir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(outDir, name), text);
  writeFileSync(join(outDir, 'package.json'), '{"type":"module"}');
  const program = ts.createProgram(Object.keys(files).map((f) => join(outDir, f)), {
    strict: true,
    // the generated classes declare required members without initialisers, as ServiceStack's do
    strictPropertyInitialization: false,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    outDir,
  });
  const emitted = program.emit();
  return [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
}

const formatDiagnostics = (d: readonly ts.Diagnostic[]) =>
  ts.formatDiagnostics(d, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => dir, getNewLine: () => '\n' });

// Uses the downloaded classes as an application would; the ts-expect-error lines fail the
// compilation if the classes lose their member types or IReturn<T> response types.
const usage = `
import { JsonServiceClient } from '@servicestack/client';
import { ImportReports, ImportReportsStatus, ImportReportsStatusResponse, GetReports, GetReportsResponse, ReportStatus, ReportOrder } from './dtos.js';

export async function importAndPoll(baseUrl: string, apiKey: string, fileBase64: string) {
  const client = new JsonServiceClient(baseUrl);
  client.bearerToken = apiKey;
  // @ts-expect-error ImportId is a string (a Guid)
  new ImportReportsStatus({ ImportId: 42 });
  const accepted = await client.post(new ImportReports({ Filename: 'typed.xml', FileBytes: fileBase64 }));
  // @ts-expect-error the response type comes from IReturn<ImportReportsResponse>
  accepted.NoSuchMember;
  const importId: string = accepted.ImportId!;
  let status: ImportReportsStatusResponse;
  const deadline = Date.now() + 30_000;
  do {
    status = await client.get(new ImportReportsStatus({ ImportId: importId }));
    if (Date.now() > deadline) throw new Error('the import did not complete');
    await new Promise((r) => setTimeout(r, 20));
  } while (status.StatusDescription !== 'Completed');
  const page: GetReportsResponse = await client.get(new GetReports({ ReportStatus: ReportStatus.All, OrderBy: ReportOrder.Number, Take: 100 }));
  return { importId, status, page };
}
`;

describe('GET /api/types/typescript', () => {
  test('the DTOs compile with tsc and drive @servicestack/client: import a file, poll it to completion, list the reports', async () => {
    const dtos = await download();
    const out = join(dir, 'client');
    const diagnostics = compile({ 'dtos.ts': dtos, 'usage.ts': usage }, out);
    assert.equal(diagnostics.length, 0, formatDiagnostics(diagnostics));

    const { importAndPoll } = await import(pathToFileURL(join(out, 'usage.js')).href);
    const ids = Array.from({ length: 12 }, () => randomUUID());
    const xml = fileXml(ids.map((id) => ({ id })));
    const { status, page } = await importAndPoll(s.url, s.apiKey, Buffer.from(xml).toString('base64'));
    assert.equal(status.TotalReports, 12);
    assert.equal(status.TotalReportsImported, 12);
    assert.deepEqual(Object.keys(status.ImportedReports).sort(), [...ids].sort());
    assert.ok(Object.values(status.ImportedReports).every((n) => /^OCC-\d{4}$/.test(n as string)));
    assert.deepEqual(page.Reports.map((r: { ReportId: string }) => r.ReportId).sort(), [...ids].sort());
  });

  test('a wrongly typed use of the DTOs does not compile', async () => {
    const dtos = await download();
    const bad = `import { ImportReports } from './dtos.js';\nnew ImportReports({ Filename: 7 });\n`;
    const diagnostics = compile({ 'dtos.ts': dtos, 'bad.ts': bad }, join(dir, 'bad'));
    assert.ok(diagnostics.some((d) => d.code === 2322), formatDiagnostics(diagnostics));
  });

  test('every operation of the registry is a request class with its route verb, type name and response', async () => {
    const dtos = await download();
    for (const op of operations) {
      const cls = new RegExp(`export class ${op.name}\\b[^\\n]*implements IReturn<${op.response.name}>\\n\\{([\\s\\S]*?)\\n\\}`).exec(dtos);
      assert.ok(cls, `class ${op.name}`);
      assert.ok(cls[1].includes(`getTypeName() { return '${op.name}'; }`), op.name);
      assert.ok(cls[1].includes(`getMethod() { return '${clientVerb(op)}'; }`), op.name);
      assert.ok(cls[1].includes(`createResponse() { return new ${op.response.name}(); }`), op.name);
      for (const name of Object.keys(op.request.members)) assert.match(cls[1], new RegExp(`public ${name}\\??: `), `${op.name}.${name}`);
      assert.match(dtos, new RegExp(`export class ${op.response.name}\\b`));
    }
  });

  test('the options header: defaults commented out, options from the query string applied and shown', async () => {
    const plain = await download();
    assert.match(plain, /^\/\* Options:\nDate: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\nVersion: \S+\nTip: To override a DTO option, remove "\/\/" prefix before updating\nBaseUrl: http:\/\/127\.0\.0\.1:\d+\/api\n/);
    assert.match(plain, /\n\/\/MakePropertiesOptional: False\n/);
    assert.match(plain, /public Filename: string;/);

    const optional = await download('?MakePropertiesOptional=true&IncludeTypes=ImportReports.*');
    assert.match(optional, /\nMakePropertiesOptional: True\n/);
    assert.match(optional, /\nIncludeTypes: ImportReports\.\*\n/);
    assert.match(optional, /public Filename\?: string;/);
    assert.match(optional, /export class ImportReportsResponse extends ResponseBase/);
    assert.doesNotMatch(optional, /class ImportReportsStatus\b/);
    assert.equal(compile({ 'dtos.ts': optional }, join(dir, 'subset')).length, 0);

    const bare = await download('?WithoutOptions&ExcludeTypes=GetForms,GetFormsResponse');
    assert.ok(bare.startsWith('export interface IReturn<T>'));
    assert.doesNotMatch(bare, /class GetForms\b/);
  });
});

describe('options and the Host header cannot write code outside the header comment', () => {
  test('an IncludeTypes, ExcludeTypes or flag value that is not one the option can take is a 400 naming the option', async () => {
    for (const [query, option] of [
      ['?IncludeTypes=*/alert(1);/*', 'IncludeTypes'],
      ['?ExcludeTypes=GetForms%0Aalert(1)', 'ExcludeTypes'],
      ['?MakePropertiesOptional=*/alert(1)', 'MakePropertiesOptional'],
    ]) {
      const res = await fetch(`${s.api}/types/typescript${query}`);
      assert.equal(res.status, 400, query);
      const body = await res.json();
      assert.equal(body.ResponseStatus.ErrorCode, 'ArgumentException');
      assert.equal(body.ResponseStatus.Errors[0].FieldName, option);
    }
  });

  test('a Host header that is more than a host and port is refused', async () => {
    const { request } = await import('node:http');
    const url = new URL(`${s.api}/types/typescript`);
    const [status, body] = await new Promise<[number, string]>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, headers: { host: 'evil*/alert(1);/*' } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c) => (text += c)).on('end', () => resolve([res.statusCode!, text]));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 400);
    assert.equal(JSON.parse(body).ResponseStatus.Errors[0].FieldName, 'Host');
  });

  test('the header comment is closed only by its own last line', async () => {
    const dtos = await download('?IncludeTypes=ImportReports.*');
    const end = dtos.indexOf('*/');
    assert.equal(dtos.slice(0, end).split('\n').at(-1), '');
    assert.doesNotMatch(dtos.slice(0, end), /\/\*.*\/\*/s);
  });
});

test('GET /api/types links the client type documents, which answer without credentials', async () => {
  const links = await (await fetch(`${s.api}/types`)).json();
  assert.deepEqual(Object.keys(links), ['Metadata', 'TypeScript']);
  for (const url of Object.values(links) as string[]) {
    assert.ok(url.startsWith(`${s.api}/types/`));
    assert.equal((await fetch(url)).status, 200);
  }
});

describe('GET /api/types/metadata', () => {
  test('every operation with its request and response classes, routes, verbs, tag and authentication', async () => {
    const res = await fetch(`${s.api}/types/metadata`);
    assert.equal(res.status, 200);
    const meta = await res.json();
    assert.equal(meta.Config.BaseUrl, s.url);
    assert.deepEqual(meta.Operations.map((o: any) => o.Request.Name), operations.map((op) => op.name));
    for (const op of operations) {
      const o = meta.Operations.find((x: any) => x.Request.Name === op.name);
      assert.equal(o.Response.Name, op.response.name);
      assert.equal(o.RequiresAuth, op.requiresAuth);
      assert.deepEqual(o.Tags, [op.tag]);
      assert.deepEqual(o.Routes.map((r: any) => [r.Path, r.Verbs]), op.routes.map((r) => [r.path, r.verbs.join(',')]));
      assert.deepEqual(o.Request.Properties.map((p: any) => p.Name), Object.keys(op.request.members));
      for (const p of o.Request.Properties) assert.equal(p.IsRequired ?? false, op.request.members[p.Name].required ?? false);
      if (op.request.base) assert.equal(o.Request.Inherits.Name.replace(/`\d+$/, ''), op.request.base.name);
    }
  });

  test('generic base classes, enums, nullable values and collections in .NET terms', async () => {
    const meta = await (await fetch(`${s.api}/types/metadata`)).json();
    const getReports = meta.Operations.find((o: any) => o.Request.Name === 'GetReports');
    assert.deepEqual(getReports.Request.Inherits, { Name: 'PagingRequestBase`1', Namespace: 'Coruson.ServiceModel', GenericArgs: ['ReportOrder'] });
    const paging = meta.Types.find((t: any) => t.Name === 'PagingRequestBase`1');
    assert.deepEqual(paging.GenericArgs, ['T']);
    assert.equal(paging.Properties.find((p: any) => p.Name === 'OrderBy').Type, 'T');
    const status = meta.Types.find((t: any) => t.Name === 'ReportStatus');
    assert.equal(status.IsEnum, true);
    assert.deepEqual(status.EnumNames, ['All', 'Draft', 'New', 'Open', 'Closed', 'NewAndOpen']);
    const report = meta.Types.find((t: any) => t.Name === 'Report');
    const submitted = report.Properties.find((p: any) => p.Name === 'SubmittedDate');
    assert.deepEqual([submitted.Type, submitted.GenericArgs], ['Nullable`1', ['DateTime']]);
    const imported = meta.Operations.find((o: any) => o.Request.Name === 'ImportReportsStatus').Response.Properties[0];
    assert.deepEqual([imported.Type, imported.GenericArgs], ['Dictionary`2', ['Guid', 'String']]);
  });
});
