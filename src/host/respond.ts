/** Writing response DTOs and errors in the negotiated format. */
import type { FastifyReply } from 'fastify';
import type { Dto, Operation } from '../model/dsl.ts';
import { ErrorResponse } from '../model/common.ts';
import { ApiError, Errors } from './errors.ts';
import type { WireFormat } from './formats/format.ts';
import { memberLookup } from './dto-shape.ts';

export function sendDto(reply: FastifyReply, format: WireFormat, dto: Dto, value: unknown, status = 200): FastifyReply {
  return reply.code(status).header('content-type', format.contentType).header('vary', 'Accept').send(format.write(dto, value));
}

/** The operation's own `…Response` carries the error when it has a ResponseStatus member, as in ServiceStack. */
export function errorDto(op: Operation | undefined): Dto {
  return op && memberLookup(op.response).has('responsestatus') ? op.response : ErrorResponse;
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  const e = err as { statusCode?: number; code?: string; message?: string };
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return new ApiError(e.statusCode, 'BadRequest', e.message ?? 'Bad request');
  }
  return Errors.internal();
}

export function sendError(
  reply: FastifyReply,
  format: WireFormat,
  op: Operation | undefined,
  error: ApiError,
  stackTrace?: string,
): FastifyReply {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  // ServiceStack puts the error code in the reason phrase
  reply.raw.statusMessage = error.errorCode;
  const ResponseStatus = {
    ErrorCode: error.errorCode,
    Message: error.message,
    StackTrace: stackTrace,
    Errors: error.errors.map((f) => ({ ErrorCode: f.errorCode, FieldName: f.fieldName, Message: f.message, Meta: f.meta })),
  };
  return sendDto(reply, format, errorDto(op), { ResponseStatus }, error.status);
}
