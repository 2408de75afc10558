/** Starts a worker thread on a TypeScript module of this project (the loader is registered first). */
import { Worker } from 'node:worker_threads';

export function startThread(entry: URL, workerData?: unknown): Worker {
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}
