/**
 * Removes, while the service runs, what a stopped process left of its imports: files it was still
 * receiving (staged reports nobody will accept) and reports of finished imports still waiting for
 * a number. The start-up sweep covers this process's own last stop; this one covers the other
 * instances sharing a PostgreSQL database, whose leases run out while this one serves.
 */
import type { Logger } from 'pino';
import type { Store } from '../store/store.ts';
import type { BackgroundWorker } from './import-worker.ts';

/** `worker`, with the sweep started and stopped beside it. The sweep must run on the store that receives uploads. */
export function withAbandonedImportSweep(worker: BackgroundWorker, store: Store, log: Logger, everyMs: number): BackgroundWorker {
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> | undefined;
  const sweep = () => {
    // a sweep that outlasts the interval (a slow database) is not run twice at once
    sweeping ??= store.discardAbandonedImports(Date.now())
      .then((removed) => {
        if (removed) log.warn({ removed }, 'removed imports left behind by a stopped process while their files were being received');
      }, (err) => log.warn({ err }, 'could not sweep abandoned imports; trying again later'))
      .finally(() => (sweeping = undefined));
  };
  return {
    start() {
      worker.start();
      timer ??= setInterval(sweep, everyMs).unref();
    },
    wake: () => worker.wake(),
    running: () => worker.running(),
    announce: (origin) => worker.announce(origin),
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await sweeping;
      await worker.stop();
    },
  };
}
