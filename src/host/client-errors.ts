/**
 * Requests Node's HTTP parser refuses before any route sees them (headers too large, a request
 * line that is not HTTP) are answered in the ServiceStack shape like every other error, then the
 * connection is closed: what follows on it cannot be trusted to start a request.
 */
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import { Errors } from '../shared/errors.ts';

export function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable || err.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const e = err.code === 'HPE_HEADER_OVERFLOW' ? Errors.headersTooLarge()
    : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? Errors.bodyTimeout('the request took too long')
      : Errors.notHttp();
  const body = JSON.stringify({ ResponseStatus: { ErrorCode: e.errorCode, Message: e.message, Errors: [] } });
  socket.end(`HTTP/1.1 ${e.status} ${STATUS_CODES[e.status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`);
}
