/**
 * GET /{format}/metadata?op={Op}: one operation's page as the original service renders it: tag,
 * authentication, routes, a parameter table per class (base classes and referenced types
 * included), and a sample HTTP request and response in the page's format.
 */
import type { Dto, EnumDecl, Operation } from '../../model/dsl.ts';
import { html, page, type Html } from './html.ts';
import type { PageFormat } from './page-formats.ts';
import { classChain, dotnetTypeName, dtoDisplayName, enumsOf, referencedDtos } from './type-graph.ts';

function parameterTable(d: Dto): Html {
  return html`
<h3>${dtoDisplayName(d)} Parameters:</h3>
<table class="parameters">
<thead><tr><th>Name</th><th>Parameter</th><th>Data Type</th><th>Required</th><th>Description</th></tr></thead>
<tbody>
${Object.entries(d.members).map(([name, m]) => html`<tr><td>${name}</td><td>${m.in ?? 'form'}</td><td>${dotnetTypeName(m.type, m.nullable)}</td><td>${m.required ? 'Yes' : 'No'}</td><td>${m.description ?? ''}</td></tr>\n`)}
</tbody>
</table>`;
}

function enumTable(e: EnumDecl): Html {
  return html`
<h3>${e.name} Enum:</h3>
<table class="enum"><tbody>
${e.values.map((v) => html`<tr><td>${v}</td></tr>\n`)}
</tbody></table>`;
}

export function operationPage(op: Operation, format: PageFormat, host: string, basePath: string): string {
  const main = [...classChain(op.request), ...classChain(op.response)];
  // classes without members of their own (a response that only inherits) have nothing to list
  const classes = [...main, ...referencedDtos([op.request, op.response])].filter((d) => Object.keys(d.members).length);
  const routes = op.routes.length ? html`
<section class="routes">
<p>The following routes are available for this service:</p>
<table class="routes">
<thead><tr><th>Verbs</th><th>Path</th><th>Summary</th></tr></thead>
<tbody>
${op.routes.map((r) => html`<tr><td>${r.verbs.join(', ')}</td><td>${basePath}${r.path}</td><td>${r.summary ?? op.summary ?? ''}</td></tr>\n`)}
</tbody>
</table>
</section>` : '';
  const body = html`
<p><a class="back" href="${basePath}/metadata">&lt;back to all web services</a></p>
<h2 class="operation">${op.name}</h2>
<div class="tags"><span class="tag">${op.tag}</span></div>
${op.requiresAuth ? html`<p class="auth">Requires Authentication</p>` : ''}
${op.summary ? html`<p class="summary">${op.summary}</p>` : ''}
${op.notes ? html`<p class="notes">${op.notes}</p>` : ''}
${routes}
<section class="classes">
${classes.map(parameterTable)}
${enumsOf(classes).map(enumTable)}
</section>
<section class="samples">
<p>To override the Content-type in your clients, use the HTTP Accept Header, append the .${format.name} suffix or ?format=${format.name}</p>
<h3>HTTP + ${format.label}</h3>
<p>The following are sample HTTP requests and responses. The placeholders shown need to be replaced with actual values.</p>
<div class="sample-request"><pre>${format.sampleRequest(op, host, basePath)}</pre></div>
<div class="sample-response"><pre>${format.sampleResponse(op)}</pre></div>
</section>`;
  return page(`${op.name} | ${format.label}`, body);
}
