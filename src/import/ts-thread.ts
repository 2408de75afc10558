/**
 * Starts a worker thread on a module of this project. Run from the TypeScript sources (tests,
 * `npm run dev`), the thread registers the TypeScript loader first; the built service (`npm start`)
 * runs plain JavaScript and needs none, which keeps each thread some 30 MB smaller.
 */
import { Worker } from 'node:worker_threads';

const fromSources = import.meta.url.endsWith('.ts');

/** `name` is the module's file name without extension, beside this file. */
export function startThread(name: string, workerData?: unknown): Worker {
  const entry = new URL(`./${name}${fromSources ? '.ts' : '.js'}`, import.meta.url);
  if (!fromSources) return new Worker(entry, { workerData });
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}
