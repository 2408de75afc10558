/**
 * A small pool of parser threads. Import files are checked off the main thread: a 50 MB file takes
 * seconds of CPU, which would otherwise stall every other request, and the main thread can stage the
 * reports already read while the thread reads on. The threads also build the rows the store writes,
 * so staging costs the main thread little more than the writes.
 */
import type { Worker } from 'node:worker_threads';
import { startThread } from './ts-thread.ts';
import type { ParseOutcome } from './parse-import-file.ts';
import type { FormRef, ImportLimits } from '../shared/report-record.ts';
import type { StagedRows, StagingDialect } from '../store/staged-rows.ts';

/** `rows`: the store whose rows the reports are turned into */
export interface ParseJob { id: number; file: Uint8Array; forms: FormRef[]; limits: ImportLimits; rows: StagingDialect }

export type ThreadMessage =
  | { job: number; kind: 'rows'; rows: StagedRows }
  | { job: number; kind: 'done'; outcome: ParseOutcome }
  | { job: number; kind: 'failed'; message: string };

interface Pending {
  onRows: (rows: StagedRows) => void;
  resolve: (o: ParseOutcome) => void;
  reject: (e: Error) => void;
}

interface Slot { worker: Worker; busy: Pending | undefined }

export class ParsePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Array<{ job: Omit<ParseJob, 'id'>; pending: Pending }> = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly size = 2) {}

  /** Starts a thread ahead of the first file: starting one takes a few hundred milliseconds. */
  warm(): void {
    if (!this.closed && this.slots.length === 0) this.spawn();
  }

  /**
   * Checks `file`; `onRows` receives the reports as they are read, as rows of the `rows` store (only
   * while no problem has been found, the last of them before the outcome; its `reports` is empty).
   */
  parse(file: Buffer, forms: FormRef[], limits: ImportLimits, rows: StagingDialect, onRows: (rows: StagedRows) => void): Promise<ParseOutcome> {
    if (this.closed) return Promise.reject(new Error('the parser pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { file, forms, limits, rows }, pending: { onRows, resolve, reject } });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const { pending } of this.queue.splice(0)) pending.reject(new Error('the parser pool is closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }

  private dispatch(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.busy);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) return;
      const { job, pending } = this.queue.shift()!;
      slot.busy = pending;
      const id = this.nextId++;
      // small Buffers share a pooled slab with others and must be copied; a large one (the file is a
      // view into the request body, which nothing else uses any more) is moved without a copy
      const file = job.file.buffer.byteLength > Buffer.poolSize ? job.file : new Uint8Array(job.file);
      slot.worker.postMessage({ id, ...job, file } satisfies ParseJob, [file.buffer as ArrayBuffer]);
    }
  }

  private spawn(): Slot {
    const worker = startThread('parse-thread');
    const slot: Slot = { worker, busy: undefined };
    worker.on('message', (m: ThreadMessage) => {
      const p = slot.busy;
      if (!p) return;
      if (m.kind === 'rows') {
        p.onRows(m.rows);
        return;
      }
      slot.busy = undefined;
      if (m.kind === 'done') p.resolve(m.outcome);
      else p.reject(new Error(`the import parser failed: ${m.message}`));
      this.dispatch();
    });
    const lost = (err: Error) => {
      slot.busy?.reject(err);
      slot.busy = undefined;
      this.slots.splice(this.slots.indexOf(slot), 1);
      if (!this.closed) this.dispatch();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => {
      if (this.slots.includes(slot)) lost(new Error(`the import parser thread exited with code ${code}`));
    });
    // an idle pool must not keep the process alive
    worker.unref();
    this.slots.push(slot);
    return slot;
  }
}
