/**
 * Composes the service from its configuration and an open store: the authenticator, the parser
 * threads, the import worker with its sweep, upload admission and metrics, then the HTTP host.
 * `npm start` (src/main.ts) runs it; so do the tests.
 */
import type { Logger } from 'pino';
import type { Config } from './shared/config.ts';
import type { Store } from './store/store.ts';
import { ImportWorker, defaultWorkerOptions, type BackgroundWorker, type WorkerOptions } from './import/import-worker.ts';
import { ParsePool } from './import/parse-pool.ts';
import { ThreadedImportWorker } from './import/threaded-import-worker.ts';
import { withAbandonedImportSweep } from './import/abandoned-import-sweep.ts';
import { Authenticator, defaultAuthPolicy, type AuthPolicy } from './services/auth/authenticator.ts';
import { buildApp, type App } from './host/app.ts';
import { createMetrics } from './host/metrics.ts';
import { UploadAdmission } from './host/upload-admission.ts';

export interface ServiceOptions {
  config: Config;
  store: Store;
  log: Logger;
  authPolicy?: AuthPolicy;
  workerOptions?: WorkerOptions;
  /** run the import worker on the main thread even where the store could be opened by a thread of its own */
  inProcessWorker?: boolean;
}

export function composeService(o: ServiceOptions): App {
  const { config, store, log } = o;
  const auth = new Authenticator(store, o.authPolicy ?? defaultAuthPolicy);
  const parsers = new ParsePool();
  parsers.warm();
  const uploads = new UploadAdmission(config.maxConcurrentImports, config.maxConcurrentImportsPerCaller);
  const metrics = config.metrics ? createMetrics(store, () => uploads.uploadsInFlight) : undefined;
  if (metrics) auth.onRefused = (outcome) => metrics.signIn(outcome);
  const onBatch = metrics && ((reports: number, seconds: number) => metrics.numbered(reports, seconds));
  const numbering = numberingWorker(o, onBatch);
  const worker = withAbandonedImportSweep(numbering, store, log.child({ component: 'import-sweep' }), config.importSweepMs);
  return buildApp({ config, store, log, auth, parsers, worker, uploads, metrics });
}

/** Numbering runs in a thread of its own wherever that thread can open the store itself. */
function numberingWorker(o: ServiceOptions, onBatch: ((reports: number, seconds: number) => void) | undefined): BackgroundWorker {
  const options = o.workerOptions ?? defaultWorkerOptions;
  const sharedUrl = o.inProcessWorker ? undefined : o.store.sharedUrl;
  if (sharedUrl === undefined) return new ImportWorker(o.store, o.log.child({ component: 'import-worker' }), options, onBatch);
  const threaded = new ThreadedImportWorker(
    { databaseUrl: sharedUrl, importLeaseMs: o.config.importLeaseMs, logLevel: o.config.logLevel, options },
    (err) => o.log.error({ err }, 'import worker thread failed'),
  );
  threaded.onBatch = onBatch;
  return threaded;
}
