/**
 * Every request under /api: documents, SOAP, and operations by route. Route and credentials are
 * settled before the body is read: an anonymous or misrouted request is answered without reading
 * its body, and only operations that take files get the file-sized body limit, a few at a time.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { operations } from '../model/index.ts';
import type { Operation } from '../model/dsl.ts';
import { Errors } from '../shared/errors.ts';
import type { Authenticator } from '../services/auth/authenticator.ts';
import { bindRequest } from './binding.ts';
import { refuseCrossSite } from './cross-site.ts';
import { answerDocument, type DocumentRoute } from './documents.ts';
import { hasBytesMember } from './dto-shape.ts';
import { crossSiteInputs, httpExchange, type Exchanges } from './exchange.ts';
import type { Fail } from './failure.ts';
import { jsonFormat, wireFormats, type WireFormat } from './formats/index.ts';
import { negotiate } from './negotiate.ts';
import type { RunOperation } from './operation-runner.ts';
import { pathFormats, type RouteMatch, type Router } from './router.ts';
import type { soapPipeline } from './soap-pipeline.ts';
import { soapVersionOf } from './soap/endpoint.ts';
import { soapFormats } from './soap/envelope.ts';

export interface RequestPipelineParts {
  basePath: string;
  router: Router;
  auth: Authenticator;
  documents: DocumentRoute[];
  exchanges: Exchanges;
  allowedOrigins: ReadonlySet<string>;
  admitUpload(reply: FastifyReply, callerId: number | undefined): void;
  soap: ReturnType<typeof soapPipeline>;
  run: RunOperation;
  fail: Fail;
}

export function requestPipeline(p: RequestPipelineParts) {
  const largeBodyOps = new Set<Operation>(operations.filter((op) => hasBytesMember(op.request)));

  /** First stage (onRequest): route, format, cross-site check, credentials, upload admission. */
  const admit = async (req: FastifyRequest, reply: FastifyReply) => {
    reply.header('x-content-type-options', 'nosniff');
    const url = req.url;
    const q = url.indexOf('?');
    const path = (q < 0 ? url : url.slice(0, q)).slice(p.basePath.length);
    let op: Operation | undefined;
    let format: WireFormat = jsonFormat;
    try {
      if (await answerDocument(p.documents, path, p.basePath, req, reply)) return;
      const soap = soapVersionOf(path);
      if (soap) {
        format = soapFormats[soap];
        return await p.soap.accept(req, reply, soap);
      }
      const query = req.query as Record<string, string | string[] | undefined>;
      const formatInputs = { query, accept: req.headers.accept, contentType: req.headers['content-type'] };
      let match: RouteMatch;
      try {
        match = p.router.match(req.method, path);
      } catch (err) {
        // routing errors are answered in the format the URL or headers asked for too
        format = negotiate({ ...formatInputs, ...pathFormats(path) }).format;
        throw err;
      }
      op = match.op;
      // operation answers carry caller data or session ids: never kept by caches
      reply.header('cache-control', 'no-store');
      const negotiated = negotiate({ ...formatInputs, extension: match.extension, routeFormat: match.routeFormat });
      format = negotiated.format;
      if (negotiated.problem) throw negotiated.problem;
      refuseCrossSite(crossSiteInputs(req), p.allowedOrigins);
      const exchange = httpExchange(req, reply);
      const caller = op.requiresAuth ? await p.auth.identify(exchange) : undefined;
      if (op.requiresAuth && !caller) throw Errors.notAuthenticated();
      const largeBody = largeBodyOps.has(op);
      if (largeBody) p.admitUpload(reply, caller?.userId);
      p.exchanges.set(req, { op, match, format, http: exchange, caller, largeBody });
    } catch (err) {
      return p.fail(req, reply, err, op, format);
    }
  };

  /** Second stage (handler): bind the body read in the meantime, run the operation. */
  const serve = async (req: FastifyRequest, reply: FastifyReply) => {
    const x = p.exchanges.get(req);
    if (x?.soap) return p.soap.serve(req, reply, x, x.soap);
    if (!x?.op || !x.match) return p.fail(req, reply, new Error('request reached its handler without a route'));
    try {
      const dto = bindRequest({
        op: x.op,
        params: x.match.params,
        query: req.query as Record<string, string | string[]>,
        body: Buffer.isBuffer(req.body) ? req.body : undefined,
        contentType: req.headers['content-type'],
        routeFormat: x.match.routeFormat ?? x.match.extension,
        predefined: x.match.predefined,
        bodyFormats: wireFormats,
      });
      return await p.run(req, reply, x, x.op, dto);
    } catch (err) {
      return p.fail(req, reply, err, x.op, x.format);
    }
  };

  return { admit, serve };
}
