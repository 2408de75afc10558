/**
 * SOAP 1.1 and 1.2 at /api/soap11 and /api/soap12. The operation is named inside the body, so
 * credentials are checked before it is read but required only once the operation is known; only
 * signed-in callers may send a file-sized body. GET on either endpoint is its WSDL, answered with
 * the other documents.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Errors } from '../shared/errors.ts';
import type { Operation } from '../model/dsl.ts';
import type { AuthUser } from '../store/store.ts';
import type { Authenticator } from '../services/auth/authenticator.ts';
import { refuseCrossSite } from './cross-site.ts';
import { crossSiteInputs, httpExchange, type Exchange, type Exchanges } from './exchange.ts';
import type { Fail } from './failure.ts';
import type { RunOperation } from './operation-runner.ts';
import type { Router } from './router.ts';
import { readSoapMessage, soapFormats, type SoapVersion } from './soap/envelope.ts';
import { bindSoapRequest } from './soap/endpoint.ts';

export interface SoapPipelineParts {
  basePath: string;
  router: Router;
  auth: Authenticator;
  exchanges: Exchanges;
  allowedOrigins: ReadonlySet<string>;
  smallBodyLimit: number;
  admitUpload(reply: FastifyReply, callerId: number | undefined): void;
  run: RunOperation;
  fail: Fail;
}

export function soapPipeline(p: SoapPipelineParts) {
  /** First stage: before the body is read. */
  const accept = async (req: FastifyRequest, reply: FastifyReply, version: SoapVersion): Promise<void> => {
    if (req.method !== 'POST') throw Errors.verbNotAllowed(req.method, `${p.basePath}/soap${version}`, ['GET', 'POST']);
    refuseCrossSite(crossSiteInputs(req), p.allowedOrigins);
    const exchange = httpExchange(req, reply);
    const caller: AuthUser | undefined = await p.auth.identify(exchange);
    const declared = Number(req.headers['content-length']);
    const largeBody = caller !== undefined && !(declared <= p.smallBodyLimit);
    if (largeBody) p.admitUpload(reply, caller.userId);
    p.exchanges.set(req, { soap: version, format: soapFormats[version], http: exchange, caller, largeBody });
  };

  /** Second stage: the body names the operation. */
  const serve = async (req: FastifyRequest, reply: FastifyReply, x: Exchange, version: SoapVersion) => {
    let op: Operation | undefined;
    try {
      const message = readSoapMessage(version, Buffer.isBuffer(req.body) ? req.body : undefined, (name) => p.router.operation(name));
      op = message.op;
      if (op.requiresAuth && !x.caller) throw Errors.notAuthenticated();
      return await p.run(req, reply, x, op, bindSoapRequest(op, message.element));
    } catch (err) {
      return p.fail(req, reply, err, op, x.format);
    }
  };

  return { accept, serve };
}
