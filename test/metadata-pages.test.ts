import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { allMembers, operations, type Dto, type Operation } from '../src/model/index.ts';
import { pageFormats } from '../src/host/metadata/page-formats.ts';
import { classChain, dotnetTypeName, dtoDisplayName } from '../src/host/metadata/type-graph.ts';
import { readFileSync } from 'node:fs';
import { startServer, type TestServer } from './support/server.ts';
import { tree } from './support/xml-tree.ts';

const screenshots = new URL('./.screenshots/', import.meta.url);

let s: TestServer;
let browser: Browser;
let page: Page;
before(async () => {
  s = await startServer({ worker: false });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage();
  mkdirSync(screenshots, { recursive: true });
});
after(async () => {
  await browser?.close();
  await s?.close();
});

/** The visible text of each row of the table under a heading, cells joined by `|`. */
async function tableAfter(heading: string): Promise<string[]> {
  const h = page.getByRole('heading', { name: heading, exact: true });
  assert.ok(await h.isVisible(), `heading "${heading}" is visible`);
  return h.locator('xpath=following-sibling::table[1]//tbody/tr').evaluateAll((rows) =>
    rows.map((r) => [...r.querySelectorAll('td')].map((c) => (c as HTMLElement).innerText.trim()).join('|')),
  );
}

async function visibleText(selector: string): Promise<string> {
  const l = page.locator(selector).first();
  assert.ok(await l.isVisible(), `${selector} is visible`);
  return l.innerText();
}

function documentedClasses(op: Operation): Dto[] {
  return [...classChain(op.request), ...classChain(op.response)].filter((d) => Object.keys(d.members).length);
}

describe('metadata pages in Chromium', () => {
  test('/api/metadata lists every operation under its tag with a link per format', async () => {
    const res = await page.goto(`${s.api}/metadata`);
    assert.equal(res?.status(), 200);
    const tags = await page.locator('h2').allInnerTexts();
    assert.deepEqual(tags, [...new Set(operations.map((op) => op.tag))]);
    for (const op of operations) {
      const section = page.locator('section.tag-group', { has: page.locator('h2', { hasText: op.tag }) });
      const row = section.locator('tr', { has: page.locator('td', { hasText: new RegExp(`^${op.name}\\b`) }) });
      assert.equal(await row.count(), 1, op.name);
      for (const f of pageFormats) {
        const href = await row.locator('a', { hasText: f.label }).getAttribute('href');
        assert.equal(href, `/api/${f.name}/metadata?op=${op.name}`);
      }
    }
    for (const name of ['TypeScript DTOs', 'Metadata types', 'OpenAPI 3.1']) assert.ok(await page.getByRole('link', { name }).isVisible(), name);
    const wsdl = pageFormats.filter((f) => f.name.startsWith('soap')).map((f) => f.name);
    assert.deepEqual(wsdl, ['soap11', 'soap12']);
    for (const name of wsdl) {
      assert.equal(await page.getByRole('link', { name, exact: true }).getAttribute('href'), `/api/${name}`);
      const res = await fetch(`${s.api}/${name}`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /<wsdl:definitions /);
    }
  });

  test('each operation page, reached by its link, shows tag, authentication, routes, parameter tables and samples', async () => {
    for (const op of operations) {
      await page.goto(`${s.api}/metadata`);
      const row = page.locator('tr', { has: page.locator('td', { hasText: new RegExp(`^${op.name}\\b`) }) });
      await Promise.all([page.waitForURL(/\/api\/json\/metadata\?op=/), row.getByRole('link', { name: 'JSON' }).click()]);
      assert.equal(await visibleText('h2.operation'), op.name);
      assert.equal(await visibleText('.tags'), op.tag);
      assert.equal(await page.getByText('Requires Authentication', { exact: true }).isVisible(), op.requiresAuth, op.name);

      const routes = await page.locator('table.routes tbody tr').evaluateAll((rows) =>
        rows.map((r) => [...r.querySelectorAll('td')].slice(0, 2).map((c) => (c as HTMLElement).innerText.trim()).join('|')));
      assert.deepEqual(routes, op.routes.map((r) => `${r.verbs.join(', ')}|/api${r.path}`));

      for (const d of documentedClasses(op)) {
        const rows = await tableAfter(`${dtoDisplayName(d)} Parameters:`);
        assert.deepEqual(rows, Object.entries(d.members).map(([name, m]) =>
          [name, m.in ?? 'form', dotnetTypeName(m.type, m.nullable), m.required ? 'Yes' : 'No', m.description ?? ''].join('|')), `${op.name}: ${d.name}`);
      }
      if (op.response.members.ResponseStatus || classChain(op.response).some((d) => d.members.ResponseStatus)) {
        assert.deepEqual((await tableAfter('ResponseStatus Parameters:')).map((r) => r.split('|')[0]), ['ErrorCode', 'Message', 'StackTrace', 'Errors', 'Meta']);
        assert.deepEqual((await tableAfter('ResponseError Parameters:')).map((r) => r.split('|')[0]), ['ErrorCode', 'FieldName', 'Message', 'Meta']);
      }

      assert.ok(await page.getByText('To override the Content-type in your clients, use the HTTP Accept Header, append the .json suffix or ?format=json').isVisible());
      assert.ok(await page.getByRole('heading', { name: 'HTTP + JSON' }).isVisible());
      const request = await visibleText('.sample-request pre');
      assert.match(request, new RegExp(`^(POST|PUT|PATCH|GET|DELETE) /api/\\S+ HTTP/1\\.1 \\nHost: 127\\.0\\.0\\.1:\\d+ \\nAccept: application/json`));
      const requestBody = JSON.parse(request.slice(request.indexOf('\n\n') + 2));
      for (const d of classChain(op.request)) for (const name of Object.keys(d.members)) assert.ok(name in requestBody, `${op.name} sample has ${name}`);
      const response = await visibleText('.sample-response pre');
      assert.ok(response.startsWith('HTTP/1.1 200 OK\nContent-Type: application/json\n'));
      const responseBody = JSON.parse(response.slice(response.indexOf('\n\n') + 2));
      for (const d of classChain(op.response)) for (const name of Object.keys(d.members)) assert.ok(name in responseBody, `${op.name} response sample has ${name}`);
    }
  });

  test('the ImportReportsStatus page has the content of the original page; a screenshot is kept', async () => {
    await page.goto(`${s.api}/json/metadata?op=ImportReportsStatus`);
    assert.deepEqual(await tableAfter('ImportReportsStatus Parameters:'), [
      'ImportId|path|Guid|Yes|The Id of the imported reports job that was included in the response of the import reports request',
    ]);
    assert.deepEqual(await tableAfter('RequestBase Parameters:'), ['Version|form|int|No|']);
    assert.deepEqual((await tableAfter('ImportReportsStatusResponse Parameters:')).map((r) => r.split('|').slice(0, 4).join('|')), [
      'ImportedReports|form|Dictionary<Guid, string>|No', 'TotalReportsImported|form|int|No', 'TotalReports|form|int|No',
    ]);
    assert.deepEqual(await tableAfter('ResponseBase Parameters:'), ['StatusDescription|form|string|No|', 'ResponseStatus|form|ResponseStatus|No|']);
    const response = JSON.parse((await visibleText('.sample-response pre')).split('\n\n')[1]);
    assert.deepEqual(response.ImportedReports, { '00000000-0000-0000-0000-000000000000': 'String' });
    assert.equal(response.ResponseStatus.Errors[0].Meta.String, 'String');
    await page.screenshot({ path: new URL('ImportReportsStatus-json.png', screenshots).pathname, fullPage: true });
  });

  test('the SOAP 1.2 page of ImportReportsStatus shows the original page\'s sample envelopes, character for character', async () => {
    const seed = readFileSync(new URL('./fixtures/seed-ImportReportsStatus.txt', import.meta.url), 'utf8');
    const envelope = /<\?xml version="1\.0" encoding="utf-8"\?>[\s\S]*?<\/soap12:Envelope>/g;
    const [seedRequest, seedResponse] = seed.match(envelope)!;
    await page.goto(`${s.api}/soap12/metadata?op=ImportReportsStatus`);
    assert.ok(await page.getByText('append the .soap12 suffix or ?format=soap12').isVisible());
    assert.ok(await page.getByRole('heading', { name: 'HTTP + SOAP12', exact: true }).isVisible());
    const request = await page.locator('.sample-request pre').textContent();
    const response = await page.locator('.sample-response pre').textContent();
    assert.ok(request!.startsWith(`POST /api/soap12 HTTP/1.1 \nHost: 127.0.0.1:${new URL(s.url).port} \nContent-Type: text/xml; charset=utf-8\nContent-Length: length\n\n`));
    assert.deepEqual(request!.match(envelope), [seedRequest]);
    assert.deepEqual(response!.match(envelope), [seedResponse]);
    await page.screenshot({ path: new URL('ImportReportsStatus-soap12.png', screenshots).pathname, fullPage: true });
  });

  test('XML and SOAP samples of every operation: well-formed, the right element, every member filled in', async () => {
    const xsi = '{http://www.w3.org/2001/XMLSchema-instance}nil';
    for (const op of operations) {
      for (const name of ['xml', 'soap11', 'soap12']) {
        await page.goto(`${s.api}/${name}/metadata?op=${op.name}`);
        for (const [selector, dto] of [['.sample-request pre', op.request], ['.sample-response pre', op.response]] as const) {
          const text = (await page.locator(selector).textContent())!;
          const doc = tree(text.slice(text.indexOf('<?xml')));
          const element = name === 'xml' ? doc : doc.children[0].children[0];
          assert.equal(element.name, `{http://schemas.servicestack.net/types}${dto.name}`, `${name} ${op.name}`);
          const children = element.children.map((c) => c.name.replace(/^\{[^}]*\}/, '')).sort();
          assert.deepEqual(children, allMembers(dto).map(([n]) => n).sort(), `${name} ${dto.name}`);
          assert.ok(!JSON.stringify(doc).includes(xsi), `${name} ${dto.name}: no member left nil`);
        }
      }
    }
  });

  test('a page for every documented format, with its own sample section', async () => {
    for (const f of pageFormats) {
      const res = await page.goto(`${s.api}/${f.name}/metadata?op=ImportReports`);
      assert.equal(res?.status(), 200, f.name);
      assert.ok(await page.getByRole('heading', { name: `HTTP + ${f.label}` }).isVisible(), f.name);
      assert.ok(await page.getByText(`append the .${f.name} suffix or ?format=${f.name}`).isVisible(), f.name);
      const list = await page.goto(`${s.api}/${f.name}/metadata`);
      assert.equal(list?.status(), 200);
      assert.equal(await page.getByRole('link', { name: f.label }).count(), operations.length);
    }
  });

  test('an unknown operation or format: an HTML error page with the ServiceStack status, and nothing from the URL runs', async () => {
    let dialogs = 0;
    page.on('dialog', (d) => { dialogs++; void d.dismiss(); });
    const unknownOp = await page.goto(`${s.api}/json/metadata?op=NoSuchOperation`);
    assert.equal(unknownOp?.status(), 404);
    assert.equal(unknownOp?.statusText(), 'NotFound');
    assert.match(unknownOp!.headers()['content-type'], /^text\/html/);
    assert.equal(await visibleText('.error h2'), '404 NotFound');
    assert.ok(await page.getByText("No operation is named 'NoSuchOperation'").isVisible());

    const unknownFormat = await page.goto(`${s.api}/yaml/metadata?op=ImportReports`);
    assert.equal(unknownFormat?.status(), 404);
    assert.match(await visibleText('.error'), /There are no metadata pages in the format 'yaml'/);

    const script = '<script>alert(1)</script><img src=x onerror=alert(2)>';
    const hostile = await page.goto(`${s.api}/json/metadata?op=${encodeURIComponent(script)}`);
    assert.equal(hostile?.status(), 404);
    assert.ok((await visibleText('.error')).includes(script));
    assert.equal(await page.locator('main script, main img').count(), 0);
    assert.equal(dialogs, 0);
  });
});
