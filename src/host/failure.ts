/** How a failed request is answered and logged, in every pipeline. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Operation } from '../model/dsl.ts';
import { ApiError } from '../shared/errors.ts';
import { jsonFormat, type WireFormat } from './formats/index.ts';
import { sendError, toApiError } from './respond.ts';

export type Fail = (req: FastifyRequest, reply: FastifyReply, err: unknown, op?: Operation, format?: WireFormat) => FastifyReply;

/** `debug`: a 5xx carries its stack trace. */
export function failureResponder(debug: boolean): Fail {
  return (req, reply, err, op, format = jsonFormat) => {
    const apiError = toApiError(err);
    // refusals made on purpose (503 busy, shutting down) and clients that hung up are no fault of the service: a line without a stack
    if (err instanceof ApiError && (apiError.status >= 500 || apiError.status === 499)) req.log.info({ status: apiError.status, code: apiError.errorCode, op: op?.name }, apiError.message);
    else if (apiError.status >= 500) req.log.error({ err, op: op?.name }, 'request failed');
    // a 5xx carries the request id, so a user can quote it and it can be found in the logs
    if (apiError.status >= 500) return sendError(reply, format, op, apiError, debug ? (err as Error).stack : undefined, { RequestId: req.id });
    return sendError(reply, format, op, apiError);
  };
}
