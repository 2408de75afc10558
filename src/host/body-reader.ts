/**
 * Reads a request body into one Buffer. With a Content-Length the buffer is allocated once and
 * filled in place, so a 70 MB import body is never held twice (chunk list plus concatenation).
 */
import type { IncomingMessage } from 'node:http';
import { Errors } from '../shared/errors.ts';

export interface BodyTimeouts { idleMs: number; totalMs: number }

/**
 * A client that stops sending would otherwise hold its upload slot for as long as it keeps the
 * connection open: past either timeout the body is refused with 408 and the connection closed.
 */
export function readBody(req: IncomingMessage, payload: NodeJS.ReadableStream, limit: number, done: (err: Error | null, body?: Buffer) => void, timeouts?: BodyTimeouts): void {
  const declared = req.headers['content-length'] === undefined ? undefined : Number(req.headers['content-length']);
  if (declared !== undefined && (!Number.isSafeInteger(declared) || declared < 0)) {
    done(Errors.malformedBody('HTTP', 'Content-Length is not a number'));
    return;
  }
  if (declared !== undefined && declared > limit) {
    payload.resume();
    done(Errors.bodyTooLarge(limit));
    return;
  }
  const fixed = declared !== undefined ? Buffer.allocUnsafe(declared) : undefined;
  const chunks: Buffer[] = [];
  let received = 0;
  let failed = false;
  let idle: NodeJS.Timeout | undefined;
  let total: NodeJS.Timeout | undefined;
  const stopTimers = () => {
    clearTimeout(idle);
    clearTimeout(total);
  };
  const fail = (err: Error) => {
    if (failed) return;
    failed = true;
    stopTimers();
    payload.removeAllListeners('data');
    payload.resume();
    done(err);
  };
  if (timeouts) {
    // timers run before pending socket reads: after the event loop was held up (a long synchronous
    // write), data that is already waiting is read first, so a busy service never times out a client
    const idleFor = () => {
      const before = received;
      setImmediate(() => {
        if (failed) return;
        if (received !== before) idle?.refresh();
        else fail(Errors.bodyTimeout(`nothing arrived for ${timeouts.idleMs / 1000} s`));
      });
    };
    idle = setTimeout(idleFor, timeouts.idleMs);
    total = setTimeout(() => fail(Errors.bodyTimeout(`it took longer than ${timeouts.totalMs / 1000} s`)), timeouts.totalMs);
    payload.on('data', () => idle?.refresh());
  }
  payload.on('data', (chunk: Buffer) => {
    if (failed) return;
    if (received + chunk.length > (fixed ? fixed.length : limit)) {
      fail(fixed ? Errors.malformedBody('HTTP', 'the body is longer than its Content-Length') : Errors.bodyTooLarge(limit));
      return;
    }
    if (fixed) chunk.copy(fixed, received);
    else chunks.push(chunk);
    received += chunk.length;
  });
  // a client that hangs up mid-body is no fault of the service: a 499, logged without a stack
  payload.on('error', (err: NodeJS.ErrnoException) => fail(err.code === 'ECONNRESET' || req.aborted ? Errors.clientGone('before its request body arrived') : err));
  payload.on('close', stopTimers);
  payload.on('end', () => {
    stopTimers();
    if (failed) return;
    if (fixed && received !== fixed.length) {
      fail(Errors.malformedBody('HTTP', 'the body is shorter than its Content-Length'));
      return;
    }
    done(null, fixed ?? Buffer.concat(chunks, received));
  });
}
