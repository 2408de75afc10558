import { dto, member, t } from './dsl.ts';

export const ResponseError = dto('ResponseError', {
  members: {
    ErrorCode: member(t.string),
    FieldName: member(t.string),
    Message: member(t.string),
    Meta: member(t.dict(t.string, t.string)),
  },
});

export const ResponseStatus = dto('ResponseStatus', {
  members: {
    ErrorCode: member(t.string),
    Message: member(t.string),
    StackTrace: member(t.string),
    Errors: member(t.list(t.ref(ResponseError))),
    Meta: member(t.dict(t.string, t.string)),
  },
});

export const RequestBase = dto('RequestBase', {
  members: {
    Version: member(t.int, { in: 'form' }),
  },
});

export const ResponseBase = dto('ResponseBase', {
  members: {
    StatusDescription: member(t.string, { in: 'form' }),
    ResponseStatus: member(t.ref(ResponseStatus), { in: 'form' }),
  },
});

/** What an error is written as when the operation has no `…Response` type of its own. */
export const ErrorResponse = dto('ErrorResponse', {
  members: {
    ResponseStatus: member(t.ref(ResponseStatus)),
  },
});
