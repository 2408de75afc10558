/** GET /metadata and /{format}/metadata: the operations, grouped by tag, with a page per format. */
import type { Operation } from '../../model/dsl.ts';
import { html, page } from './html.ts';
import type { PageFormat } from './page-formats.ts';

function operationPageUrl(basePath: string, format: PageFormat, op: Operation): string {
  return `${basePath}/${format.name}/metadata?op=${encodeURIComponent(op.name)}`;
}

function byTag(operations: readonly Operation[]): Map<string, Operation[]> {
  const groups = new Map<string, Operation[]>();
  for (const op of operations) groups.set(op.tag, [...(groups.get(op.tag) ?? []), op]);
  return groups;
}

/** The /metadata page links every format; a /{format}/metadata page (`only`) links its own. */
export function indexPage(operations: readonly Operation[], basePath: string, allFormats: readonly PageFormat[], only?: PageFormat): string {
  const formats = only ? [only] : allFormats;
  const sections = [...byTag(operations)].map(([tag, ops]) => html`
<section class="tag-group">
<h2>${tag}</h2>
<table class="operations">
<thead><tr><th>Operation</th><th>Summary</th>${formats.map((f) => html`<th>${f.label}</th>`)}</tr></thead>
<tbody>
${ops.map((op) => html`<tr><td>${op.name}${op.requiresAuth ? html` <span title="Requires Authentication">(auth)</span>` : ''}</td><td>${op.summary ?? ''}</td>${formats.map(
  (f) => html`<td><a href="${operationPageUrl(basePath, f, op)}">${f.label}</a></td>`,
)}</tr>\n`)}
</tbody>
</table>
</section>`);
  const soap = allFormats.filter((f) => f.name.startsWith('soap'));
  const links = html`
<section class="links">
${soap.length ? html`<h3>WSDLS:</h3>\n<ul>${soap.map((f) => html`<li><a href="${basePath}/${f.name}">${f.name}</a></li>`)}</ul>` : ''}
<h3>Client types and definitions:</h3>
<ul>
<li><a href="${basePath}/types/typescript">TypeScript DTOs</a> (Add ServiceStack Reference)</li>
<li><a href="${basePath}/types/metadata">Metadata types</a> (JSON)</li>
<li><a href="${basePath}/openapi.json">OpenAPI 3.1</a></li>
<li><a href="${basePath}/reports/import/schema">Import file schema</a> (XSD)</li>
</ul>
</section>`;
  const intro = only
    ? html`<p><a class="back" href="${basePath}/metadata">&lt;back to all web services</a></p>\n<p>The following operations are supported in ${only.label}:</p>`
    : html`<p>The following operations are supported:</p>`;
  return page(only ? `${only.label} operations` : 'Operations', html`${intro}${sections}${only ? '' : links}`);
}
