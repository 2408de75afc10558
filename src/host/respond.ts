/** Writing response DTOs and errors in the negotiated format. */
import type { FastifyReply } from 'fastify';
import type { Dto, Operation } from '../model/dsl.ts';
import { ErrorResponse } from '../model/common.ts';
import { ApiError, Errors } from '../shared/errors.ts';
import type { WireFormat } from './formats/format.ts';
import { memberLookup } from './dto-shape.ts';
import { DatabaseUnavailableError } from '../store/store.ts';

export function sendDto(reply: FastifyReply, format: WireFormat, dto: Dto, value: unknown, status = 200, operationName?: string): FastifyReply {
  if (format.responseHeaders) {
    for (const [name, v] of Object.entries(format.responseHeaders(operationName ?? dto.name))) reply.header(name, v);
  }
  const body = format.encode ? format.encode(dto, value) : format.write(dto, value);
  return reply.code(status).header('content-type', format.contentType).header('vary', 'Accept').send(body);
}

/** The operation's own `…Response` carries the error when it has a ResponseStatus member, as in ServiceStack. */
export function errorDto(op: Operation | undefined): Dto {
  return op && memberLookup(op.response).has('responsestatus') ? op.response : ErrorResponse;
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof DatabaseUnavailableError) return Errors.databaseUnavailable(err.reason);
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return Errors.refusedByHttpLayer(e.statusCode, e.message ?? 'Bad request');
  }
  return Errors.internal();
}

export function sendError(
  reply: FastifyReply,
  format: WireFormat,
  op: Operation | undefined,
  error: ApiError,
  stackTrace?: string,
  meta?: Record<string, string>,
): FastifyReply {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  const ResponseStatus = {
    ErrorCode: error.errorCode,
    Message: error.message,
    StackTrace: stackTrace,
    Meta: meta,
    Errors: error.errors.map((f) => ({ ErrorCode: f.errorCode, FieldName: f.fieldName, Message: f.message, Meta: f.meta })),
  };
  if (format.errorsAsOk) {
    reply.header('x-status', String(error.status));
    return sendDto(reply, format.forErrorStatus?.(error.status) ?? format, errorDto(op), { ResponseStatus }, 200, op?.name);
  }
  // ServiceStack puts the error code in the reason phrase
  reply.raw.statusMessage = error.errorCode;
  return sendDto(reply, format, errorDto(op), { ResponseStatus }, error.status, op?.name);
}
