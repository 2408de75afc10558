/**
 * The HTTP host: one Fastify instance, every API route under /api answered by the same
 * pipeline (route → credentials → bind → handler → format), derived from the registry.
 */
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { operations } from '../model/index.ts';
import type { Operation } from '../model/dsl.ts';
import type { Config } from '../config.ts';
import type { Store } from '../store/store.ts';
import { handlers } from '../services/index.ts';
import type { HttpExchange, ServiceContext } from '../services/context.ts';
import { ImportWorker, defaultWorkerOptions, type WorkerOptions } from '../import/import-worker.ts';
import { ParsePool } from '../import/parse-pool.ts';
import { ThreadedImportWorker, type BackgroundWorker } from '../import/threaded-import-worker.ts';
import { Authenticator, defaultAuthPolicy, type AuthPolicy } from './auth/authenticator.ts';
import { bindRequest } from './binding.ts';
import { readBody } from './body-reader.ts';
import { Errors } from './errors.ts';
import { jsonFormat } from './formats/json.ts';
import type { WireFormat } from './formats/format.ts';
import { sendDto, sendError, toApiError } from './respond.ts';
import { Router } from './router.ts';

export const basePath = '/api';
const formats: readonly WireFormat[] = [jsonFormat];
const schemaFile = new URL('../../schema/report-import.xsd', import.meta.url);

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
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    return503OnClosing: true,
  });
  const router = new Router(operations, formats);
  const auth = new Authenticator(store, o.authPolicy ?? defaultAuthPolicy);
  const parsers = new ParsePool();
  parsers.warm();
  const workerOptions = o.workerOptions ?? defaultWorkerOptions;
  const worker: BackgroundWorker = o.inProcessWorker || config.databaseUrl === ':memory:'
    ? new ImportWorker(store, log.child({ component: 'import-worker' }), workerOptions)
    : new ThreadedImportWorker({ databaseUrl: config.databaseUrl, logLevel: config.logLevel, options: workerOptions }, (err) =>
      log.error({ err }, 'import worker thread failed'));

  // bodies are read per operation and format, so every content type arrives as raw bytes
  http.removeAllContentTypeParsers();
  http.addContentTypeParser('*', (req, payload, done) => readBody(req.raw, payload, config.bodyLimit, done));

  const pipeline = async (req: FastifyRequest, reply: FastifyReply) => {
    const url = req.url;
    const q = url.indexOf('?');
    const path = (q < 0 ? url : url.slice(0, q)).slice(basePath.length);
    let op: Operation | undefined;
    let format: WireFormat = jsonFormat;
    try {
      const match = router.match(req.method, path);
      op = match.op;
      if (match.format) format = match.format;
      const exchange = httpExchange(req, reply);
      const caller = op.requiresAuth ? await auth.identify(exchange) : undefined;
      if (op.requiresAuth && !caller) throw Errors.notAuthenticated();
      const dto = bindRequest({
        op,
        params: match.params,
        query: req.query as Record<string, string | string[]>,
        body: Buffer.isBuffer(req.body) ? req.body : undefined,
        contentType: req.headers['content-type'],
        routeFormat: match.format,
        predefined: match.predefined,
        bodyFormats: formats,
      });
      // the raw body can be large (an import file); drop it before the handler runs
      (req as { body: unknown }).body = undefined;
      const ctx: ServiceContext = { caller, store, auth, worker, parsers, limits: config.limits, log: req.log as Logger, http: exchange };
      const handler = handlers[op.name as keyof typeof handlers] as (r: unknown, c: ServiceContext) => Promise<unknown>;
      const result = await handler(dto, ctx);
      return sendDto(reply, format, op.response, result ?? {});
    } catch (err) {
      const apiError = toApiError(err);
      if (apiError.status >= 500) req.log.error({ err, op: op?.name }, 'request failed');
      return sendError(reply, format, op, apiError, config.debug && apiError.status >= 500 ? (err as Error).stack : undefined);
    }
  };

  http.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], url: `${basePath}/*`, handler: pipeline });

  http.get(`${basePath}/reports/import/schema`, async (_req, reply) => {
    reply.header('content-type', 'application/xml; charset=utf-8');
    return readFile(schemaFile);
  });

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

  http.setNotFoundHandler((req, reply) => sendError(reply, jsonFormat, undefined, Errors.routeNotFound(req.method, req.url.split('?')[0])));
  http.setErrorHandler((err, req, reply) => {
    const apiError = toApiError(err);
    if (apiError.status >= 500) req.log.error({ err }, 'request failed');
    return sendError(reply, jsonFormat, undefined, apiError);
  });

  return {
    http,
    worker,
    auth,
    async close() {
      await http.close();
      await worker.stop();
      await parsers.close();
    },
  };
}

function httpExchange(req: FastifyRequest, reply: FastifyReply): HttpExchange {
  const h = req.headers;
  return {
    address: req.ip,
    authorization: h.authorization,
    cookie: h.cookie,
    sessionHeader: (h['x-ss-id'] ?? h['x-ss-pid']) as string | undefined,
    method: req.method,
    secure: req.protocol === 'https',
    setCookie: (cookie) => {
      const prev = reply.getHeader('set-cookie');
      reply.header('set-cookie', prev === undefined ? [cookie] : [...(Array.isArray(prev) ? prev : [String(prev)]), cookie]);
    },
  };
}
