import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Validator } from '@seriousme/openapi-schema-validator';
import { allMembers, operations } from '../src/model/index.ts';
import { bearer, startServer, type TestServer } from './support/server.ts';

let s: TestServer;
let doc: any;
before(async () => {
  s = await startServer();
  const res = await fetch(`${s.api}/openapi.json`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type')!, /^application\/json/);
  doc = await res.json();
});
after(() => s.close());

function resolve(ref: string): any {
  assert.match(ref, /^#\/components\/schemas\/[\w.-]+$/);
  const schema = doc.components.schemas[ref.split('/').pop()!];
  assert.ok(schema, `${ref} resolves`);
  return schema;
}

function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) if (k === '$ref') out.push(v as string); else refs(v, out);
  }
  return out;
}

describe('GET /api/openapi.json', () => {
  test('is a valid OpenAPI 3.1 document by the schema validator, and the validator rejects a broken copy', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    assert.deepEqual(result.errors, undefined);
    assert.equal(result.valid, true);
    assert.equal(validator.version, '3.1');

    const broken = structuredClone(doc);
    broken.paths['/reports/import'].post.responses = 'none';
    assert.equal((await new Validator().validate(broken)).valid, false);
  });

  test('every $ref points at a declared schema', () => {
    const all = refs(doc);
    assert.ok(all.length > 20);
    for (const r of all) resolve(r);
  });

  test('every route and verb of every operation in the registry is described from its declaration', () => {
    const ids = new Set<string>();
    for (const op of operations) {
      for (const route of op.routes) {
        for (const verb of route.verbs) {
          const item = doc.paths[route.path]?.[verb.toLowerCase()];
          assert.ok(item, `${verb} ${route.path}`);
          assert.ok(!ids.has(item.operationId), `unique operationId ${item.operationId}`);
          ids.add(item.operationId);
          assert.deepEqual(item.tags, [op.tag]);
          assert.equal(item.summary, op.summary);
          assert.deepEqual(item.security, op.requiresAuth ? [{ bearer: [] }, { basic: [] }, { session: [] }] : []);
          const pathVars = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
          const members = allMembers(op.request).map(([n]) => n);
          for (const v of pathVars) {
            const p = item.parameters.find((x: any) => x.in === 'path' && x.name === v);
            assert.ok(p?.required, `path parameter ${v} of ${op.name}`);
          }
          if (['POST', 'PUT', 'PATCH'].includes(verb)) {
            const body = resolve(item.requestBody.content['application/json'].schema.$ref);
            assert.deepEqual(Object.keys(body.properties), members);
            const required = allMembers(op.request).filter(([, m]) => m.required).map(([n]) => n);
            assert.deepEqual(body.required ?? [], required);
          } else {
            const query = item.parameters.filter((x: any) => x.in === 'query').map((x: any) => x.name);
            assert.deepEqual(query, members.filter((m) => !pathVars.includes(m)));
          }
          const ok = resolve(item.responses['200'].content['application/json'].schema.$ref);
          assert.deepEqual(Object.keys(ok.properties).sort(), allMembers(op.response).map(([n]) => n).sort());
          assert.ok(resolve(item.responses.default.content['application/json'].schema.$ref).properties.ResponseStatus);
        }
      }
    }
    const described = Object.values(doc.paths).flatMap((item: any) => Object.values(item)).length;
    assert.equal(described, ids.size);
  });

  test('types: enums, nullable value types, Guid and date formats, dictionaries, lists of objects', () => {
    const schemas = doc.components.schemas;
    assert.deepEqual(schemas.ReportStatus, { type: 'string', enum: ['All', 'Draft', 'New', 'Open', 'Closed', 'NewAndOpen'] });
    assert.deepEqual(schemas.Report.properties.SubmittedDate.type, ['string', 'null']);
    assert.equal(schemas.Report.properties.SubmittedDate.format, 'date-time');
    assert.equal(schemas.Report.properties.RaisedDate.type, 'string');
    assert.equal(schemas.ImportReportsStatus.properties.ImportId.format, 'uuid');
    assert.equal(schemas.ImportReportsStatusResponse.properties.ImportedReports.additionalProperties.type, 'string');
    assert.equal(schemas.GetReportsResponse.properties.Reports.items.$ref, '#/components/schemas/Report');
    assert.equal(schemas.ImportReports.properties.FileBytes.contentEncoding, 'base64');
    const take = doc.paths['/reports'].get.parameters.find((p: any) => p.name === 'Take');
    assert.deepEqual([take.schema.minimum, take.schema.maximum, take.schema.default], [1, 100, 100]);
  });

  test('security schemes for Bearer and Basic; the server URL answers the described routes', async () => {
    const schemes = doc.components.securitySchemes;
    assert.deepEqual([schemes.bearer.type, schemes.bearer.scheme], ['http', 'bearer']);
    assert.deepEqual([schemes.basic.type, schemes.basic.scheme], ['http', 'basic']);
    const server = doc.servers[0].url;
    assert.equal(server, s.api);
    const forms = await fetch(`${server}/forms`, { headers: { ...bearer(s.apiKey), accept: 'application/json' } });
    assert.equal(forms.status, 200);
    const status = await fetch(`${server}/reports/import/status/${randomUUID()}`, { headers: { accept: 'application/json' } });
    assert.equal(status.status, 401);
  });
});
