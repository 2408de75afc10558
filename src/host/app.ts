/**
 * The HTTP host: one Fastify instance, every API route under /api answered by the same
 * pipeline (route → credentials → bind → handler → format), derived from the registry.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { operations } from '../model/index.ts';
import type { Operation } from '../model/dsl.ts';
import type { Config } from '../shared/config.ts';
import type { AuthUser, Store } from '../store/store.ts';
import { isInMemory } from '../store/open-store.ts';
import { handlers } from '../services/index.ts';
import type { HttpExchange, ServiceContext } from '../services/context.ts';
import { ImportWorker, defaultWorkerOptions, type BackgroundWorker, type WorkerOptions } from '../import/import-worker.ts';
import { ParsePool } from '../import/parse-pool.ts';
import { ThreadedImportWorker } from '../import/threaded-import-worker.ts';
import { withAbandonedImportSweep } from '../import/abandoned-import-sweep.ts';
import { Authenticator, defaultAuthPolicy, type AuthPolicy } from '../services/auth/authenticator.ts';
import { bindRequest } from './binding.ts';
import { readBody } from './body-reader.ts';
import { ApiError, Errors } from '../shared/errors.ts';
import { jsonFormat, wireFormats, type WireFormat } from './formats/index.ts';
import { negotiate } from './negotiate.ts';
import { sendDto, sendError, toApiError } from './respond.ts';
import { Router, pathFormats, type RouteMatch } from './router.ts';
import { hasBytesMember } from './dto-shape.ts';
import { refuseCrossSite, type CrossSiteInputs } from './cross-site.ts';
import { UploadAdmission } from './upload-admission.ts';
import { answerClientError } from './client-errors.ts';
import { answerDocument, documentRoutes } from './documents.ts';
import { requestIdGenerator, requestIdHeader } from './request-id.ts';
import { createMetrics, registerMetrics } from './metrics.ts';
import { registerHealth, type Readiness } from './health.ts';
import { readSoapMessage, soapFormats, type SoapVersion } from './soap/envelope.ts';
import { bindSoapRequest, soapVersionOf } from './soap/endpoint.ts';

const basePath = '/api';

export interface AppOptions {
  config: Config;
  store: Store;
  log: Logger;
  authPolicy?: AuthPolicy;
  workerOptions?: WorkerOptions;
  /** run the import worker on the main thread (the default is a thread of its own, for file databases) */
  inProcessWorker?: boolean;
}

export interface App {
  http: FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>;
  worker: BackgroundWorker;
  auth: Authenticator;
  readiness: Readiness;
  close(): Promise<void>;
}

export function buildApp(o: AppOptions): App {
  const { config, store, log } = o;
  const http = Fastify({
    loggerInstance: log,
    // per-request log lines cost a third of the throughput; errors are logged where they are handled
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { maxParamLength: 4096 },
    frameworkErrors: (_err, req, reply) => sendError(reply, jsonFormat, undefined, Errors.badPath(req.url)),
    trustProxy: typeof config.trustProxy === 'number' ? ((hops: number) => (_addr: string, hop: number) => hop < hops)(config.trustProxy) : config.trustProxy,
    return503OnClosing: true,
    clientErrorHandler: answerClientError,
    // a backstop behind the body reader's own timeouts, for requests of every kind
    requestTimeout: config.bodyTimeouts.totalMs + 60_000,
    genReqId: requestIdGenerator(config.trustProxy),
  });
  http.addHook('onRequest', (req, reply, done) => {
    reply.header(requestIdHeader, req.id);
    done();
  });
  const readiness: Readiness = { stopping: false };
  const router = new Router(operations);
  const auth = new Authenticator(store, o.authPolicy ?? defaultAuthPolicy);
  const parsers = new ParsePool();
  parsers.warm();
  const workerOptions = o.workerOptions ?? defaultWorkerOptions;
  const uploads = new UploadAdmission(config.maxConcurrentImports, config.maxConcurrentImportsPerCaller);
  const metrics = config.metrics ? createMetrics(store, () => uploads.uploadsInFlight) : undefined;
  const onBatch = metrics && ((reports: number, seconds: number) => metrics.numbered(reports, seconds));
  const threaded = !(o.inProcessWorker || isInMemory(config.databaseUrl));
  const numbering: BackgroundWorker = !threaded
    ? new ImportWorker(store, log.child({ component: 'import-worker' }), workerOptions, onBatch)
    : new ThreadedImportWorker({ databaseUrl: config.databaseUrl, importLeaseMs: config.importLeaseMs, logLevel: config.logLevel, options: workerOptions }, (err) =>
      log.error({ err }, 'import worker thread failed'));
  if (numbering instanceof ThreadedImportWorker) numbering.onBatch = onBatch;
  const worker = withAbandonedImportSweep(numbering, store, log.child({ component: 'import-sweep' }), config.importSweepMs);
  if (metrics) auth.onRefused = (outcome) => metrics.signIn(outcome);

  /** What the first stage learnt about a request, for the later ones. */
  interface Exchange {
    /** unset for SOAP until the body names the operation */
    op?: Operation;
    match?: RouteMatch;
    soap?: SoapVersion;
    format: WireFormat;
    http: HttpExchange;
    caller: AuthUser | undefined;
    largeBody: boolean;
  }
  const exchanges = new WeakMap<FastifyRequest, Exchange>();
  const largeBodyOps = new Set<string>(operations.filter((op) => hasBytesMember(op.request)).map((op) => op.name));
  const documents = documentRoutes(operations, basePath);

  /** Counts an upload against the slots until its connection closes. */
  const admitLargeBody = (reply: FastifyReply, caller: AuthUser | undefined) => {
    try {
      if (readiness.stopping) throw Errors.shuttingDown();
      uploads.admit(reply, caller?.userId);
    } catch (err) {
      metrics?.uploadRefused();
      throw err;
    }
  };

  // SOAP names its operation inside the body, so credentials are checked before it is read but
  // required only once the operation is known; only signed-in callers may send a file-sized body
  // (GET on either endpoint is its WSDL, answered with the other documents)
  const acceptSoap = async (req: FastifyRequest, reply: FastifyReply, version: SoapVersion) => {
    if (req.method !== 'POST') throw Errors.verbNotAllowed(req.method, `${basePath}/soap${version}`, ['GET', 'POST']);
    refuseCrossSite(crossSiteInputs(req), config.allowedOrigins);
    const exchange = httpExchange(req, reply);
    const caller = await auth.identify(exchange);
    const declared = Number(req.headers['content-length']);
    const largeBody = caller !== undefined && !(declared <= config.smallBodyLimit);
    if (largeBody) admitLargeBody(reply, caller);
    exchanges.set(req, { soap: version, format: soapFormats[version], http: exchange, caller, largeBody });
  };

  const fail = (req: FastifyRequest, reply: FastifyReply, err: unknown, op?: Operation, format: WireFormat = jsonFormat) => {
    const apiError = toApiError(err);
    // refusals made on purpose (503 busy, shutting down) and clients that hung up are no fault of the service: a line without a stack
    if (err instanceof ApiError && (apiError.status >= 500 || apiError.status === 499)) req.log.info({ status: apiError.status, code: apiError.errorCode, op: op?.name }, apiError.message);
    else if (apiError.status >= 500) req.log.error({ err, op: op?.name }, 'request failed');
    // a 5xx carries the request id, so a user can quote it and it can be found in the logs
    if (apiError.status >= 500) return sendError(reply, format, op, apiError, config.debug ? (err as Error).stack : undefined, { RequestId: req.id });
    return sendError(reply, format, op, apiError);
  };

  // Route and credentials are settled before the body is read: an anonymous or misrouted request
  // is answered without reading its body, and only operations that take files get the file-sized
  // body limit, a few at a time.
  const routeAndAuthenticate = async (req: FastifyRequest, reply: FastifyReply) => {
    reply.header('x-content-type-options', 'nosniff');
    const url = req.url;
    const q = url.indexOf('?');
    const path = (q < 0 ? url : url.slice(0, q)).slice(basePath.length);
    let op: Operation | undefined;
    let format: WireFormat = jsonFormat;
    try {
      if (await answerDocument(documents, path, basePath, req, reply)) return;
      const soap = soapVersionOf(path);
      if (soap) {
        format = soapFormats[soap];
        return await acceptSoap(req, reply, soap);
      }
      const query = req.query as Record<string, string | string[] | undefined>;
      const formatInputs = { query, accept: req.headers.accept, contentType: req.headers['content-type'] };
      let match: RouteMatch;
      try {
        match = router.match(req.method, path);
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
      refuseCrossSite(crossSiteInputs(req), config.allowedOrigins);
      const exchange = httpExchange(req, reply);
      const caller = op.requiresAuth ? await auth.identify(exchange) : undefined;
      if (op.requiresAuth && !caller) throw Errors.notAuthenticated();
      const largeBody = largeBodyOps.has(op.name);
      if (largeBody) admitLargeBody(reply, caller);
      exchanges.set(req, { op, match, format, http: exchange, caller, largeBody });
    } catch (err) {
      return fail(req, reply, err, op, format);
    }
  };

  // bodies are read per operation and format, so every content type arrives as raw bytes
  http.removeAllContentTypeParsers();
  http.addContentTypeParser('*', (req, payload, done) => {
    const x = exchanges.get(req);
    readBody(req.raw, payload, x?.largeBody ? config.bodyLimit : config.smallBodyLimit, done, config.bodyTimeouts);
  });

  const run = async (req: FastifyRequest, reply: FastifyReply, x: Exchange, op: Operation, dto: Record<string, unknown>) => {
    // the raw body can be large (an import file); drop it before the handler runs
    (req as { body: unknown }).body = undefined;
    const ctx: ServiceContext = { op, caller: x.caller, store, auth, worker, parsers, limits: config.limits, log: req.log as Logger, requestId: req.id, http: x.http, onParsed: metrics?.parsed };
    const handler = handlers[op.name as keyof typeof handlers] as (r: unknown, c: ServiceContext) => Promise<unknown>;
    const result = await handler(dto, ctx);
    return sendDto(reply, x.format, op.response, result ?? {}, 200, op.name);
  };

  const soapPipeline = async (req: FastifyRequest, reply: FastifyReply, x: Exchange, version: SoapVersion) => {
    let op: Operation | undefined;
    try {
      const message = readSoapMessage(version, Buffer.isBuffer(req.body) ? req.body : undefined, (name) => router.operation(name));
      op = message.op;
      if (op.requiresAuth && !x.caller) throw Errors.notAuthenticated();
      return await run(req, reply, x, op, bindSoapRequest(op, message.element));
    } catch (err) {
      return fail(req, reply, err, op, x.format);
    }
  };

  const pipeline = async (req: FastifyRequest, reply: FastifyReply) => {
    const x = exchanges.get(req);
    if (x?.soap) return soapPipeline(req, reply, x, x.soap);
    if (!x?.op || !x.match) return fail(req, reply, new Error('request reached its handler without a route'));
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
      return await run(req, reply, x, x.op, dto);
    } catch (err) {
      return fail(req, reply, err, x.op, x.format);
    }
  };

  registerHealth(http, store, worker, readiness);
  if (metrics) {
    registerMetrics(http, metrics, config.metricsToken);
    http.addHook('onResponse', (req, reply, done) => {
      const x = exchanges.get(req);
      metrics.request(x?.op?.name ?? (x?.soap ? 'Soap' : req.routeOptions.url === `${basePath}/*` || !req.routeOptions.url ? 'unmatched' : req.routeOptions.url), reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  }

  http.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], url: `${basePath}/*`, onRequest: routeAndAuthenticate, handler: pipeline });

  http.get(basePath, async (_req, reply) =>
    reply.header('content-type', jsonFormat.contentType).send(
      JSON.stringify({
        Operations: operations.map((op) => ({
          Name: op.name,
          Tag: op.tag,
          Summary: op.summary,
          RequiresAuthentication: op.requiresAuth,
          Routes: op.routes.map((r) => ({ Path: basePath + r.path, Verbs: r.verbs })),
        })),
      }),
    ),
  );

  http.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0];
    const { format } = negotiate({ query: req.query as Record<string, string>, accept: req.headers.accept, contentType: req.headers['content-type'], ...pathFormats(path) });
    return sendError(reply, format, undefined, Errors.routeNotFound(req.method, path));
  });
  http.setErrorHandler((err, req, reply) => {
    const x = exchanges.get(req);
    return fail(req, reply, err, x?.op, x?.format);
  });

  return {
    http,
    worker,
    auth,
    readiness,
    async close() {
      readiness.stopping = true;
      // the worker finishes its batch while requests in flight finish
      await Promise.all([http.close(), worker.stop()]);
      await parsers.close();
    },
  };
}

function crossSiteInputs(req: FastifyRequest): CrossSiteInputs {
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

function httpExchange(req: FastifyRequest, reply: FastifyReply): HttpExchange {
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
  };
}
