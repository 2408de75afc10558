import { createHash } from 'node:crypto';

/**
 * HTML written through one tagged template: every interpolated value is escaped unless it is
 * itself `Html`, so text from declarations and URLs can never become markup.
 */
export class Html {
  constructor(readonly text: string) {}
}

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => entities[c]);
}

function render(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new Html(out);
}

/** The heading every page carries, as the original service's pages do. */
const serviceTitle = 'Coruson API';

const style = `
body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0; color: #222; }
header { background: #2b4a6f; color: #fff; padding: 0.8em 1.5em; }
header h1 { margin: 0; font-size: 1.5em; font-weight: 500; }
header a { color: #fff; text-decoration: none; }
main { padding: 1em 1.5em 3em; max-width: 70em; }
.back { display: inline-block; margin-bottom: 0.5em; }
table { border-collapse: collapse; margin: 0.3em 0 1.2em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.7em; text-align: left; vertical-align: top; }
th { background: #eef2f6; font-weight: 600; }
.tag { display: inline-block; background: #dde7f2; border-radius: 3px; padding: 0.1em 0.6em; margin-right: 0.4em; }
.auth { color: #8a4b00; font-weight: 600; margin: 0.6em 0; }
pre { background: #f6f8fa; border: 1px solid #ddd; padding: 0.8em; overflow-x: auto; font-size: 0.9em; }
h3 { margin-bottom: 0.2em; }
.error dt { font-weight: 600; }
`;

/**
 * The pages' policy: nothing but their own stylesheet (allowed by its hash, not 'unsafe-inline'),
 * no scripts, no framing by other sites.
 */
export const pageSecurityPolicy = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(style).digest('base64')}'`,
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export function page(title: string, body: Html): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${new Html(style)}</style>
</head>
<body>
<header><h1>${serviceTitle}</h1></header>
<main>
${body}
</main>
</body>
</html>
`.text;
}
