import type { Operation, RequestOf, ResponseOf } from '../model/dsl.ts';
import type { OperationList } from '../model/index.ts';
import type { AuthUser, Store } from '../store/store.ts';
import type { Authenticator } from './auth/authenticator.ts';
import type { BackgroundWorker } from '../import/import-worker.ts';
import type { ParsePool } from '../import/parse-pool.ts';
import type { ImportLimits } from '../shared/report-record.ts';
import type { Logger } from 'pino';

/** What a handler learns of the request it serves, besides its DTO. Handlers never see Fastify. */
export interface RequestContext {
  /** the operation being served */
  op: Operation;
  /** set on every operation that requires authentication */
  caller: AuthUser | undefined;
  log: Logger;
  /** the request's id, as logged and returned in X-Request-Id */
  requestId: string;
  http: HttpExchange;
}

/** The service's parts, given once at start-up: each handler is made from only those it uses. */
export interface ServiceParts {
  store: Store;
  auth: Authenticator;
  worker: BackgroundWorker;
  parsers: ParsePool;
  limits: ImportLimits;
  /** told how long an import file took to check and stage, for metrics */
  onParsed?: (seconds: number) => void;
}

/** The slice of the HTTP exchange that authentication needs. */
export interface HttpExchange {
  address: string;
  /** `scheme://host[:port]` as the client addressed the service (behind a trusted proxy, as the proxy was addressed) */
  origin: string;
  authorization: string | undefined;
  cookie: string | undefined;
  sessionHeader: string | undefined;
  method: string;
  secure: boolean;
  setCookie(cookie: string): void;
  setHeader(name: string, value: string): void;
  /** the client has gone: nothing sent now reaches it */
  clientGone(): boolean;
}

export type Handler<O extends Operation> = (req: RequestOf<O>, ctx: RequestContext) => Promise<ResponseOf<O>>;

/** Exactly one handler per declared operation: a missing or extra one fails to compile. */
export type Handlers = { [O in OperationList[number] as O['name']]: Handler<O> };

export function requireCaller(ctx: RequestContext): AuthUser {
  if (!ctx.caller) throw new Error('handler of an authenticated operation ran without a caller');
  return ctx.caller;
}
