/**
 * Request ids: the one a trusted proxy sends in X-Request-Id when it is well-formed, otherwise a
 * new UUID. A client that is not a trusted proxy cannot choose the id its requests are logged under.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

export const requestIdHeader = 'x-request-id';
const wellFormed = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdGenerator(trustProxy: number | string | false): (req: IncomingMessage) => string {
  const trusted: (addr: string) => boolean =
    trustProxy === false ? () => false
      : typeof trustProxy === 'number' ? () => trustProxy > 0
        : ((fn) => (addr: string) => fn(addr, 0))(proxyAddr.compile(trustProxy.split(/\s*,\s*/)));
  return (req) => {
    const sent = req.headers[requestIdHeader];
    if (typeof sent === 'string' && wellFormed.test(sent) && trusted(req.socket.remoteAddress ?? '')) return sent;
    return randomUUID();
  };
}
