/**
 * The folders of src/ are layers, each importing only from those below it:
 * model, shared, store, import, services and admin, host, the command line, then main.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('../src', import.meta.url));

/** Rank of each top-level folder; a file may import its own folder or a lower rank, never an equal one. */
const ranks: Record<string, number> = {
  model: 0,
  shared: 1,
  store: 2,
  import: 3,
  services: 4,
  admin: 4,
  host: 5,
  cli: 6,
  '.': 7,
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

const layerOf = (file: string) => {
  const parts = relative(src, file).split('/');
  return parts.length > 1 ? parts[0] : '.';
};

/** Every relative module a file names: static and dynamic imports, re-exports, and thread entry points. */
function dependencies(file: string, text: string): string[] {
  const specs = [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+['"](\.[^'"]+)['"]/g),
    ...text.matchAll(/\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g),
    ...text.matchAll(/new URL\(\s*['"](\.[^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g),
  ].map((m) => m[1]);
  return specs.map((s) => resolve(dirname(file), s));
}

/** The imports of `file` (holding `text`) that break the layering. */
function forbiddenEdges(file: string, text: string): string[] {
  const found: string[] = [];
  const from = layerOf(file);
  for (const dep of dependencies(file, text)) {
    if (!dep.startsWith(src)) continue;
    const to = layerOf(dep);
    if (to === from) continue;
    if (!(from in ranks) || !(to in ranks)) found.push(`${relative(src, file)}: folder ${from === '.' ? 'src' : from} or ${to} has no layer`);
    else if (ranks[to] >= ranks[from]) found.push(`${relative(src, file)} (${from}) imports ${relative(src, dep)} (${to})`);
  }
  return found;
}

test('every import points down the layers', () => {
  const files = sources(src);
  assert.ok(files.length > 50);
  assert.deepEqual(files.flatMap((f) => forbiddenEdges(f, readFileSync(f, 'utf8'))), []);
});

test('the check sees an upward import, a sideways one, a thread entry point and a folder with no layer', () => {
  const probe = (layer: string, text: string) => forbiddenEdges(join(src, layer, 'probe.ts'), text);
  assert.equal(probe('store', "import { x } from '../services/context.ts';").length, 1);
  assert.equal(probe('services', "export { y } from '../admin/provisioning.ts';").length, 1);
  assert.equal(probe('model', "const w = new Worker(new URL('../import/parse-thread.ts', import.meta.url));").length, 1);
  assert.equal(probe('store', "const m = await import('../host/app.ts');").length, 1);
  assert.equal(probe('extras', "import { z } from '../model/dsl.ts';").length, 1);
  assert.deepEqual(probe('host', "import type { Store } from '../store/store.ts';\nimport { t } from './formats/json.ts';"), []);
});
