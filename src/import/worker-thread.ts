/** The import worker's thread: its own store connection, woken by the main thread. */
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { openStore } from '../store/open-store.ts';
import { ImportWorker, type ImportOrigin, type WorkerOptions } from './import-worker.ts';

export interface WorkerThreadData { databaseUrl: string; importLeaseMs: number; logLevel: string; options: WorkerOptions }
/** what the thread tells the main thread besides 'started' and 'stopped' */
export interface WorkerThreadBatch { numbered: number; seconds: number }
export type WorkerThreadCommand = 'wake' | { announce: ImportOrigin } | 'stop';

const data = workerData as WorkerThreadData;
const store = await openStore(data.databaseUrl, { importLeaseMs: data.importLeaseMs });
const worker = new ImportWorker(store, pino({ level: data.logLevel }).child({ component: 'import-worker' }), data.options, (numbered, seconds) =>
  parentPort!.postMessage({ numbered, seconds } satisfies WorkerThreadBatch));
worker.start();
parentPort!.on('message', async (command: WorkerThreadCommand) => {
  if (command === 'wake') worker.wake();
  else if (typeof command === 'object') worker.announce(command.announce);
  else {
    await worker.stop();
    await store.close();
    parentPort!.postMessage('stopped');
    parentPort!.close();
  }
});
parentPort!.postMessage('started');
