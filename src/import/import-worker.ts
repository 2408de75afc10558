/**
 * Creates the reports of accepted imports in the background, one staged batch per
 * transaction. Progress lives in the store, not in memory: after a crash or a restart the
 * worker finds the unfinished import and carries on from its first batch not yet done.
 */
import type { Logger } from 'pino';
import type { ImportJob, Store } from '../store/store.ts';
import { ImportOutcomeCode } from '../shared/errors.ts';

export interface WorkerOptions {
  /** how often to look for work when nobody has called wake() */
  pollMs: number;
  /** failed attempts at an import before it is marked Failed */
  maxAttempts: number;
  /** pause after a failed attempt, doubled each time */
  retryDelayMs: number;
  /** reports created per transaction */
  batchSize: number;
}

/** The upload an import came from, so the worker's lines for it carry the upload's request id. */
export interface ImportOrigin { importId: string; requestId: string }

/** What the host needs of the worker, wherever it runs. */
export interface BackgroundWorker {
  start(): void;
  /** new work was accepted: look now rather than at the next poll */
  wake(): void;
  /** an upload is being received: the worker's lines for its import will carry its request id */
  announce(origin: ImportOrigin): void;
  stop(): Promise<void>;
  /** started and not stopped (and, in a thread, the thread alive) */
  running(): boolean;
}

export const defaultWorkerOptions: WorkerOptions = { pollMs: 1000, maxAttempts: 5, retryDelayMs: 500, batchSize: 1000 };

export class ImportWorker implements BackgroundWorker {
  private active = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private pendingWake = false;
  /** request ids of the uploads of recent imports; an import taken over after a restart has none */
  private readonly origins = new Map<string, string>();

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly opts: WorkerOptions = defaultWorkerOptions,
    /** told of each batch numbered, for metrics */
    private readonly onBatch?: (reports: number, seconds: number) => void,
  ) {}

  start(): void {
    if (this.active) return;
    this.active = true;
    this.loop = this.run();
  }

  running(): boolean {
    return this.active;
  }

  async stop(): Promise<void> {
    const wasActive = this.active;
    this.active = false;
    this.wake();
    await this.loop;
    if (!wasActive) return;
    // another instance takes the import over at once rather than when the lease runs out
    try {
      await this.store.releaseImportLeases();
    } catch (err) {
      this.log.warn({ err }, 'could not release the import leases; another instance takes them over when they run out');
    }
  }

  /** New work was accepted: look now rather than at the next poll. */
  announce(origin: ImportOrigin): void {
    if (this.origins.size >= 1000) this.origins.delete(this.origins.keys().next().value!);
    this.origins.set(origin.importId, origin.requestId);
  }

  wake(): void {
    this.pendingWake = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (this.active) {
      this.pendingWake = false;
      let job: ImportJob | undefined;
      try {
        job = await this.store.nextImportJob(Date.now());
      } catch (err) {
        this.log.error({ err }, 'import worker could not read its queue');
      }
      if (job) {
        // a SQLite store can hold this thread in a lock wait while the upload is accepted: take the
        // messages sent meanwhile (the upload's announcement) before the job's first line
        await new Promise<void>((r) => setImmediate(r));
        await this.runJob(job);
      }
      else await this.idle(this.opts.pollMs);
    }
  }

  private idle(ms: number): Promise<void> {
    if (this.pendingWake || !this.active) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        done();
      };
    });
  }

  private about(job: ImportJob): { importId: string; reqId?: string } {
    return { importId: job.importId, reqId: this.origins.get(job.importId) };
  }

  private async runJob(job: ImportJob): Promise<void> {
    const started = performance.now();
    let created = 0;
    try {
      for (;;) {
        if (!this.active) return;
        const batchStarted = performance.now();
        const step = await this.store.createNextReports(job, this.opts.batchSize, Date.now());
        created += step.created;
        if (step.created) this.onBatch?.(step.created, (performance.now() - batchStarted) / 1000);
        if (step.done) break;
        // let other work in between batches
        await new Promise<void>((r) => setImmediate(r));
      }
      this.log.info({ ...this.about(job), created, ms: Math.round(performance.now() - started) }, 'import reports created');
      this.origins.delete(job.importId);
    } catch (err) {
      await this.recordFailure(job, err);
    }
  }

  private async recordFailure(job: ImportJob, err: unknown): Promise<void> {
    let attempts = this.opts.maxAttempts;
    try {
      attempts = await this.store.recordImportAttempt(job.pk);
      this.log.error({ err, ...this.about(job), attempts }, 'import batch failed');
      if (attempts >= this.opts.maxAttempts) {
        await this.store.failImport(job.pk, ImportOutcomeCode.ImportFailed, `The import stopped after ${attempts} failed attempts: ${(err as Error).message}`, Date.now());
        return;
      }
    } catch (storeErr) {
      // the store itself is failing: keep the import as it is and try again later
      this.log.error({ err: storeErr, ...this.about(job) }, 'could not record an import failure');
    }
    await new Promise((r) => setTimeout(r, this.opts.retryDelayMs * 2 ** Math.min(attempts - 1, 6)));
  }
}
