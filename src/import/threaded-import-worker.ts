/**
 * Runs the import worker in a thread of its own, with its own connection to the database: report
 * creation then neither waits for nor stalls request handling (status polls, uploads) on the main
 * thread, and the two use both cores.
 */
import type { Worker } from 'node:worker_threads';
import type { BackgroundWorker, ImportOrigin } from './import-worker.ts';
import { startThread } from './ts-thread.ts';
import type { WorkerThreadBatch, WorkerThreadCommand, WorkerThreadData } from './worker-thread.ts';

export class ThreadedImportWorker implements BackgroundWorker {
  private thread: Worker | undefined;
  private stopping: Promise<void> | undefined;
  private stopped = false;

  /** told of each batch the thread numbers, for metrics */
  onBatch: ((reports: number, seconds: number) => void) | undefined;

  constructor(private readonly data: WorkerThreadData, private readonly onError: (err: Error) => void) {}

  start(): void {
    this.stopped = false;
    if (this.thread) return;
    const thread = startThread('worker-thread', this.data);
    thread.on('error', (err) => this.onError(err));
    thread.on('message', (m: WorkerThreadBatch | string) => {
      if (typeof m === 'object') this.onBatch?.(m.numbered, m.seconds);
    });
    thread.on('exit', (code) => {
      if (this.thread === thread && !this.stopping) {
        // the thread died: start another, which carries on from the store
        this.onError(new Error(`the import worker thread exited with code ${code}; restarting it`));
        this.thread = undefined;
        setTimeout(() => {
          if (!this.stopped) this.start();
        }, 1000).unref();
      }
    });
    this.thread = thread;
  }

  running(): boolean {
    return this.thread !== undefined && !this.stopping;
  }

  announce(origin: ImportOrigin): void {
    this.thread?.postMessage({ announce: origin } satisfies WorkerThreadCommand);
  }

  wake(): void {
    this.thread?.postMessage('wake' satisfies WorkerThreadCommand);
  }

  stop(): Promise<void> {
    this.stopped = true;
    const thread = this.thread;
    if (!thread) return Promise.resolve();
    this.stopping ??= new Promise<void>((resolve) => {
      thread.once('exit', () => resolve());
      thread.postMessage('stop' satisfies WorkerThreadCommand);
      // a batch in flight finishes first; past that, the store's transactions keep it whole anyway
      setTimeout(() => void thread.terminate(), 10_000).unref();
    }).finally(() => {
      this.thread = undefined;
      this.stopping = undefined;
    });
    return this.stopping;
  }
}
