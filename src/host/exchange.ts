/**
 * What the first stage of a request learns (operation, format, caller), kept for the later ones,
 * and the slice of the HTTP request that services and the cross-site check may see.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Operation } from '../model/dsl.ts';
import type { AuthUser } from '../store/store.ts';
import type { HttpExchange } from '../services/context.ts';
import type { CrossSiteInputs } from './cross-site.ts';
import type { WireFormat } from './formats/index.ts';
import type { RouteMatch } from './router.ts';
import type { SoapVersion } from './soap/envelope.ts';

export interface Exchange {
  /** unset for SOAP until the body names the operation */
  op?: Operation;
  match?: RouteMatch;
  soap?: SoapVersion;
  format: WireFormat;
  http: HttpExchange;
  caller: AuthUser | undefined;
  largeBody: boolean;
}

/** The exchanges of the requests in flight; an entry goes with its request. */
export type Exchanges = WeakMap<FastifyRequest, Exchange>;

export function httpExchange(req: FastifyRequest, reply: FastifyReply): HttpExchange {
  const h = req.headers;
  return {
    address: req.ip,
    get origin() {
      return `${req.protocol}://${req.host}`;
    },
    authorization: h.authorization,
    cookie: h.cookie,
    sessionHeader: (h['x-ss-id'] ?? h['x-ss-pid']) as string | undefined,
    method: req.method,
    secure: req.protocol === 'https',
    clientGone: () => reply.raw.destroyed || req.raw.socket.destroyed,
    // Fastify appends each set-cookie value to those already set
    setCookie: (cookie) => reply.header('set-cookie', cookie),
    setHeader: (name, value) => reply.header(name, value),
  };
}

export function crossSiteInputs(req: FastifyRequest): CrossSiteInputs {
  const h = req.headers;
  return {
    method: req.method,
    authorization: h.authorization,
    sessionHeader: (h['x-ss-id'] ?? h['x-ss-pid']) as string | undefined,
    secFetchSite: h['sec-fetch-site'] as string | undefined,
    origin: h.origin,
    ownOrigin: `${req.protocol}://${req.host}`,
  };
}
