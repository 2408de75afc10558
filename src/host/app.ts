/**
 * The HTTP host: one Fastify instance, every API route under /api answered by the same
 * pipeline (route → credentials → bind → handler → format), derived from the registry.
 * The service's parts are composed outside (src/service.ts) and handed in.
 */
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { operations } from '../model/index.ts';
import type { Config } from '../shared/config.ts';
import { Errors } from '../shared/errors.ts';
import type { Store } from '../store/store.ts';
import type { BackgroundWorker } from '../import/import-worker.ts';
import type { ParsePool } from '../import/parse-pool.ts';
import type { Authenticator } from '../services/auth/authenticator.ts';
import { readBody } from './body-reader.ts';
import { answerClientError } from './client-errors.ts';
import { documentRoutes } from './documents.ts';
import type { Exchanges } from './exchange.ts';
import { failureResponder } from './failure.ts';
import { jsonFormat } from './formats/index.ts';
import { registerHealth, type Readiness } from './health.ts';
import { registerMetrics, type Metrics } from './metrics.ts';
import { negotiate } from './negotiate.ts';
import { operationRunner } from './operation-runner.ts';
import { requestPipeline } from './request-pipeline.ts';
import { requestIdGenerator, requestIdHeader } from './request-id.ts';
import { sendError } from './respond.ts';
import { Router, pathFormats } from './router.ts';
import { soapPipeline } from './soap-pipeline.ts';
import { uploadGate, type UploadAdmission } from './upload-admission.ts';

const basePath = '/api';

export interface HostParts {
  config: Config;
  store: Store;
  log: Logger;
  auth: Authenticator;
  parsers: ParsePool;
  worker: BackgroundWorker;
  uploads: UploadAdmission;
  metrics?: Metrics;
}

export interface App {
  http: FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>;
  worker: BackgroundWorker;
  auth: Authenticator;
  readiness: Readiness;
  close(): Promise<void>;
}

export function buildApp(parts: HostParts): App {
  const { config, store, log, auth, parsers, worker, metrics } = parts;
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
  const exchanges: Exchanges = new WeakMap();
  const fail = failureResponder(config.debug);
  const run = operationRunner({ store, auth, worker, parsers, limits: config.limits, onParsed: metrics?.parsed });
  const admitUpload = uploadGate(parts.uploads, () => readiness.stopping, metrics && (() => metrics.uploadRefused()));
  const shared = { basePath, router, auth, exchanges, allowedOrigins: config.allowedOrigins, admitUpload, run, fail };
  const soap = soapPipeline({ ...shared, smallBodyLimit: config.smallBodyLimit });
  const pipeline = requestPipeline({ ...shared, documents: documentRoutes(operations, basePath), soap });

  // bodies are read per operation and format, so every content type arrives as raw bytes
  http.removeAllContentTypeParsers();
  http.addContentTypeParser('*', (req, payload, done) => {
    const x = exchanges.get(req);
    readBody(req.raw, payload, x?.largeBody ? config.bodyLimit : config.smallBodyLimit, done, config.bodyTimeouts);
  });

  registerHealth(http, store, worker, readiness);
  if (metrics) {
    registerMetrics(http, metrics, config.metricsToken);
    http.addHook('onResponse', (req, reply, done) => {
      const x = exchanges.get(req);
      metrics.request(x?.op?.name ?? (x?.soap ? 'Soap' : req.routeOptions.url === `${basePath}/*` || !req.routeOptions.url ? 'unmatched' : req.routeOptions.url), reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  }

  http.route({ method: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'], url: `${basePath}/*`, onRequest: pipeline.admit, handler: pipeline.serve });

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
