/**
 * The documents are derived from any declaration, not only today's registry: a made-up operation
 * with a generic base class, an enum, a self-referencing type, nested lists and dictionaries,
 * nullable values and markup in its descriptions goes through every generator.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { Validator } from '@seriousme/openapi-schema-validator';
import { ResponseBase, dto, enumeration, member, operation, t, type Members } from '../src/model/index.ts';
import { operationPage } from '../src/host/metadata/operation-page.ts';
import { indexPage } from '../src/host/metadata/index-page.ts';
import { pageFormats } from '../src/host/metadata/page-formats.ts';
import { sampleDto } from '../src/host/metadata/sample-values.ts';
import { indentXml } from '../src/host/metadata/indent-xml.ts';
import { typeScriptOptions, typeScriptTypes } from '../src/host/client-types/typescript.ts';
import { typesMetadata } from '../src/host/client-types/types-metadata.ts';
import { openApiDocument } from '../src/host/openapi/openapi.ts';

const Colour = enumeration('Colour', ['Red', 'Green'] as const);
const Tree = dto('Tree', { members: { Name: member(t.string, { description: 'a <b>bold</b> & "quoted" name' }) } });
// a type that contains itself can only be declared by adding the member afterwards
(Tree.members as Members).Children = member(t.list(t.ref(Tree)));
const pageOf = (order: typeof Colour) => dto('Page', {
  genericArgs: [t.enum(order)],
  members: { OrderBy: member(t.enum(order), { in: 'query' }), Take: member(t.int, { in: 'query', min: 1, max: 10, default: 10 }) },
});
const PaintRequest = dto('Paint', {
  base: pageOf(Colour),
  members: {
    Id: member(t.guid, { in: 'path', required: true }),
    When: member(t.dateTime, { nullable: true, in: 'query' }),
    Root: member(t.ref(Tree)),
    Shades: member(t.dict(t.string, t.list(t.int))),
  },
});
const PaintResponse = dto('PaintResponse', { base: ResponseBase, members: { Trees: member(t.list(t.ref(Tree))), Colour: member(t.enum(Colour), { nullable: true }) } });
const Paint = operation({
  tag: 'Art <&>',
  summary: 'Paint <it>',
  request: PaintRequest,
  response: PaintResponse,
  routes: [{ path: '/paint/{id}', verbs: ['PUT'] }],
  requiresAuth: true,
});
const registry = [Paint];

const dir = (() => {
  mkdirSync(new URL('./.tmp/', import.meta.url), { recursive: true });
  return mkdtempSync(join(new URL('./.tmp/', import.meta.url).pathname, 'derivation-'));
})();
after(() => rmSync(dir, { recursive: true, force: true }));

describe('documents derived from an arbitrary declaration', () => {
  test('sample values: every member filled, a self-reference filled once', () => {
    const sample = sampleDto(PaintRequest);
    assert.deepEqual(sample, {
      OrderBy: 'Red',
      Take: 0,
      Id: '00000000-0000-0000-0000-000000000000',
      When: new Date(-62135596800000),
      Root: { Name: 'String', Children: [] },
      Shades: { String: [0] },
    });
    assert.deepEqual(sampleDto(PaintResponse).Trees, [{ Name: 'String', Children: [] }]);
  });

  test('pages escape the declarations and name generic classes with their arguments', () => {
    for (const format of pageFormats) {
      const html = operationPage(Paint, format, 'example.com', '/api');
      assert.ok(html.includes('<span class="tag">Art &lt;&amp;&gt;</span>'), format.name);
      assert.ok(html.includes('a &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; name'));
      assert.ok(!html.includes('<b>bold'));
      assert.ok(html.includes('<h3>Page&lt;Colour&gt; Parameters:</h3>'));
      assert.ok(html.includes('<h3>Tree Parameters:</h3>'));
      assert.ok(html.includes('<h3>Colour Enum:</h3>'));
      assert.ok(html.includes('<td>When</td><td>query</td><td>DateTime?</td><td>No</td>'));
      assert.ok(html.includes('<td>Shades</td><td>form</td><td>Dictionary&lt;string, List&lt;int&gt;&gt;</td>'));
      assert.ok(html.includes('<td>PUT</td><td>/api/paint/{id}</td>'));
    }
    const index = indexPage(registry, '/api', pageFormats);
    assert.ok(index.includes('<h2>Art &lt;&amp;&gt;</h2>'));
    assert.ok(index.includes('<td>Paint <span title="Requires Authentication">(auth)</span></td><td>Paint &lt;it&gt;</td>'));
  });

  test('TypeScript: a generic base class, the enum and the self-referencing class compile', () => {
    const code = typeScriptTypes(registry, 'https://example.com', typeScriptOptions({}));
    assert.match(code, /export class Page<T>\n\{\n {4}public OrderBy\?: T;/);
    assert.match(code, /export class Paint extends Page<Colour> implements IReturn<PaintResponse>/);
    assert.match(code, /public Shades\?: \{ \[index: string\]: number\[\]; \};/);
    assert.match(code, /public getMethod\(\) \{ return 'PUT'; \}/);
    const file = join(dir, 'dtos.ts');
    writeFileSync(file, code);
    const program = ts.createProgram([file], { strict: true, strictPropertyInitialization: false, target: ts.ScriptTarget.ES2022, noEmit: true, types: [] });
    assert.deepEqual(ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')), []);
  });

  test('MetadataTypes and OpenAPI 3.1', async () => {
    const meta = typesMetadata(registry, 'https://example.com');
    assert.deepEqual(meta.Operations[0].Request.Inherits, { Name: 'Page`1', Namespace: 'Coruson.ServiceModel', GenericArgs: ['Colour'] });
    assert.deepEqual(meta.Types.map((x) => x.Name).sort(), ['Colour', 'Page`1', 'ResponseBase', 'ResponseError', 'ResponseStatus', 'Tree']);

    const doc = openApiDocument(registry, 'https://example.com/api') as any;
    const result = await new Validator().validate(doc);
    assert.equal(result.valid, true, JSON.stringify(result.errors));
    const put = doc.paths['/paint/{Id}'].put;
    assert.deepEqual(put.parameters.map((p: any) => [p.name, p.in]), [['Id', 'path']]);
    assert.deepEqual(doc.components.schemas.Tree.properties.Children, { type: 'array', items: { $ref: '#/components/schemas/Tree' } });
    assert.deepEqual(doc.components.schemas.PaintResponse.properties.Colour, { anyOf: [{ $ref: '#/components/schemas/Colour' }, { type: 'null' }] });
    assert.deepEqual(doc.components.schemas.Paint.properties.When.type, ['string', 'null']);
  });

  test('XML laid out one element a line, text and empty elements kept', () => {
    assert.equal(
      indentXml('<?xml version="1.0"?><A x="1"><B>t &amp; u</B><C/><D></D><E><F>1</F></E></A>'),
      '<?xml version="1.0"?>\n<A x="1">\n  <B>t &amp; u</B>\n  <C/>\n  <D></D>\n  <E>\n    <F>1</F>\n  </E>\n</A>',
    );
  });
});
