/**
 * Runs an operation's handler on its bound request DTO and writes the answer. The handlers are
 * made once, at start-up, and found by their operation.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { operations } from '../model/index.ts';
import type { Operation } from '../model/dsl.ts';
import { createHandlers } from '../services/index.ts';
import type { RequestContext, ServiceParts } from '../services/context.ts';
import type { Exchange } from './exchange.ts';
import { sendDto } from './respond.ts';

type AnyHandler = (request: unknown, ctx: RequestContext) => Promise<unknown>;

export type RunOperation = (req: FastifyRequest, reply: FastifyReply, x: Exchange, op: Operation, dto: Record<string, unknown>) => Promise<FastifyReply>;

export function operationRunner(parts: ServiceParts): RunOperation {
  const handlers = createHandlers(parts);
  const byOperation = new Map<Operation, AnyHandler>(operations.map((op) => [op, handlers[op.name as keyof typeof handlers] as AnyHandler]));
  return async (req, reply, x, op, dto) => {
    const handler = byOperation.get(op);
    if (!handler) throw new Error(`no handler for ${op.name}`);
    // the raw body can be large (an import file); drop it before the handler runs
    (req as { body: unknown }).body = undefined;
    const result = await handler(dto, { op, caller: x.caller, log: req.log as Logger, requestId: req.id, http: x.http });
    return sendDto(reply, x.format, op.response, result ?? {}, 200, op.name);
  };
}
