/** Errors on the HTML pages: the same ResponseStatus a client gets, written for a reader. */
import type { ApiError } from '../../shared/errors.ts';
import { html, page } from './html.ts';

export function errorPage(error: ApiError, basePath: string): string {
  return page(`${error.status} ${error.errorCode}`, html`
<section class="error">
<h2>${error.status} ${error.errorCode}</h2>
<dl>
<dt>ErrorCode</dt><dd>${error.errorCode}</dd>
<dt>Message</dt><dd>${error.message}</dd>
${error.errors.map((e) => html`<dt>${e.fieldName}</dt><dd>${e.errorCode}: ${e.message}</dd>`)}
</dl>
<p><a href="${basePath}/metadata">All operations</a></p>
</section>`);
}
