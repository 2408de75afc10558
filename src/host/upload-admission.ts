/**
 * Which file uploads are received at once: at most MAX_CONCURRENT_IMPORTS in all, and at most
 * MAX_CONCURRENT_IMPORTS_PER_CALLER for one user, so a single caller (or a stolen key) cannot hold
 * every slot. A slot is held until the upload's connection closes; the body reader's timeouts make
 * sure that happens for a client that stops sending.
 */
import type { FastifyReply } from 'fastify';
import { Errors } from '../shared/errors.ts';

export class UploadAdmission {
  private inFlight = 0;
  private readonly perCaller = new Map<number, number>();

  constructor(private readonly max: number, private readonly maxPerCaller: number) {}

  get uploadsInFlight(): number {
    return this.inFlight;
  }

  /** Takes a slot for `callerId` until the reply's connection closes, or throws 503 or 429. */
  admit(reply: FastifyReply, callerId: number | undefined): void {
    if (this.inFlight >= this.max) throw Errors.busy(this.max);
    const mine = callerId === undefined ? 0 : this.perCaller.get(callerId) ?? 0;
    if (callerId !== undefined && mine >= this.maxPerCaller) throw Errors.tooManyUploads(this.maxPerCaller);
    this.inFlight++;
    if (callerId !== undefined) this.perCaller.set(callerId, mine + 1);
    reply.raw.once('close', () => {
      this.inFlight--;
      if (callerId === undefined) return;
      const left = (this.perCaller.get(callerId) ?? 1) - 1;
      if (left > 0) this.perCaller.set(callerId, left);
      else this.perCaller.delete(callerId);
    });
  }
}

/** Admits a file-sized body unless the service is stopping; counts each refusal. */
export function uploadGate(uploads: UploadAdmission, stopping: () => boolean, onRefused?: () => void): (reply: FastifyReply, callerId: number | undefined) => void {
  return (reply, callerId) => {
    try {
      if (stopping()) throw Errors.shuttingDown();
      uploads.admit(reply, callerId);
    } catch (err) {
      onRefused?.();
      throw err;
    }
  };
}
