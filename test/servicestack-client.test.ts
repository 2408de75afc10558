import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { JsonServiceClient } from '@servicestack/client';
import { startServer, type TestServer } from './support/server.ts';
import { fileXml } from './support/xml.ts';

// DTOs in the shape "Add ServiceStack Reference" generates for TypeScript
class ImportReportsResponse {
  ImportId?: string;
  DuplicateReports?: string[];
  StatusDescription?: string;
  ResponseStatus?: unknown;
}
class ImportReports {
  Version?: number;
  Filename?: string;
  FileBytes?: string;
  constructor(init?: Partial<ImportReports>) { Object.assign(this, init); }
  getTypeName() { return 'ImportReports'; }
  getMethod() { return 'POST'; }
  createResponse() { return new ImportReportsResponse(); }
}
class ImportReportsStatusResponse {
  ImportedReports?: Record<string, string>;
  TotalReportsImported?: number;
  TotalReports?: number;
  StatusDescription?: string;
}
class ImportReportsStatus {
  ImportId?: string;
  constructor(init?: Partial<ImportReportsStatus>) { Object.assign(this, init); }
  getTypeName() { return 'ImportReportsStatus'; }
  getMethod() { return 'GET'; }
  createResponse() { return new ImportReportsStatusResponse(); }
}
class AuthenticateResponse { UserName?: string; SessionId?: string }
class Authenticate {
  provider?: string;
  UserName?: string;
  Password?: string;
  constructor(init?: Partial<Authenticate>) { Object.assign(this, init); }
  getTypeName() { return 'Authenticate'; }
  getMethod() { return 'POST'; }
  createResponse() { return new AuthenticateResponse(); }
}

let s: TestServer;
before(async () => { s = await startServer(); });
after(async () => { await s.close(); });

async function importAndPoll(client: JsonServiceClient, count: number) {
  const ids = Array.from({ length: count }, () => randomUUID());
  const xml = fileXml(ids.map((id, i) => ({ id, form: i % 2 ? 'Hazard Report' : 'Occurrence Report' })));
  const accepted = await client.post(new ImportReports({ Filename: 'client.xml', FileBytes: Buffer.from(xml).toString('base64') }));
  assert.ok(accepted.ImportId);
  assert.deepEqual(accepted.DuplicateReports, []);
  let status: ImportReportsStatusResponse;
  const deadline = Date.now() + 30_000;
  do {
    status = await client.get(new ImportReportsStatus({ ImportId: accepted.ImportId }));
    if (Date.now() > deadline) throw new Error('timed out');
  } while (status.TotalReportsImported !== status.TotalReports || status.StatusDescription !== 'Completed');
  assert.equal(status.TotalReports, count);
  assert.deepEqual(Object.keys(status.ImportedReports!).sort(), [...ids].sort());
  assert.ok(Object.values(status.ImportedReports!).every((n) => /^(OCC|HAZ)-\d{4}$/.test(n)));
  return status;
}

describe('@servicestack/client JsonServiceClient', () => {
  test('default /api/{Op} base with an API key as bearer token: import, poll to completion', async () => {
    const client = new JsonServiceClient(s.url);
    client.bearerToken = s.apiKey;
    await importAndPoll(client, 25);
  });

  test('the /json/reply/{Op} base with user name and password (Basic on every request)', async () => {
    const client = new JsonServiceClient(s.url);
    client.useBasePath('/api/json/reply');
    client.userName = s.userName;
    client.password = s.password;
    await importAndPoll(client, 10);
  });

  test('sign in with the Authenticate DTO, then use the session cookie', async () => {
    const client = new JsonServiceClient(s.url);
    const auth = await client.post(new Authenticate({ provider: 'credentials', UserName: s.userName, Password: s.password }));
    assert.equal(auth.UserName, s.userName);
    await importAndPoll(client, 3);
  });

  test('errors arrive as ResponseStatus: unknown import 404, invalid file 400 with field errors, no auth 401', async () => {
    const client = new JsonServiceClient(s.url);
    client.bearerToken = s.apiKey;
    await assert.rejects(client.get(new ImportReportsStatus({ ImportId: randomUUID() })), (e: any) => {
      assert.equal(e.responseStatus.errorCode, 'NotFound');
      return true;
    });
    await assert.rejects(client.post(new ImportReports({ Filename: 'bad.xml', FileBytes: Buffer.from('<Nope/>').toString('base64') })), (e: any) => {
      assert.equal(e.responseStatus.errorCode, 'InvalidImportFile');
      assert.equal(e.responseStatus.errors[0].errorCode, 'InvalidRoot');
      return true;
    });
    const anonymous = new JsonServiceClient(s.url);
    await assert.rejects(anonymous.get(new ImportReportsStatus({ ImportId: randomUUID() })), (e: any) => {
      assert.equal(e.responseStatus.errorCode, 'Unauthorized');
      return true;
    });
  });

  test('an unknown operation: 405 NotImplementedException, as the client expects', async () => {
    class Nope { getTypeName() { return 'Nope'; } getMethod() { return 'POST'; } createResponse() { return {}; } }
    const client = new JsonServiceClient(s.url);
    client.bearerToken = s.apiKey;
    await assert.rejects(client.post(new Nope() as any), (e: any) => {
      assert.equal(e.responseStatus.errorCode, 'NotImplementedException');
      assert.equal(e.responseStatus.message, 'The operation does not exist for this service');
      return true;
    });
  });
});
