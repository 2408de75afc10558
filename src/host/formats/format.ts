import type { Dto } from '../../model/dsl.ts';
import type { FieldError } from '../../shared/errors.ts';

/** One wire format: how a DTO is written to and read from an HTTP body. */
export interface WireFormat {
  /** as named in `?format=`, route extensions and predefined routes */
  readonly name: string;
  /** Content-Type written on responses */
  readonly contentType: string;
  /** media types accepted on requests and in Accept headers */
  readonly mediaTypes: readonly string[];
  /**
   * Errors go out as HTTP 200 with the real status in an `X-Status` header: clients of this
   * format (JSONP scripts, SOAP) cannot read an error status.
   */
  readonly errorsAsOk?: boolean;
  /** the format an error with this status is written in, when the body itself must carry the status (SOAP's X-Status header) */
  forErrorStatus?(status: number): WireFormat;
  /** headers a response in this format carries besides its Content-Type */
  responseHeaders?(operationName: string): Record<string, string>;
  write(dto: Dto, value: unknown): string;
  /** the body as bytes, where the format can do better than encoding `write`'s text (responses use it when present) */
  encode?(dto: Dto, value: unknown): Buffer;
  /** Reads a body into a plain object keyed by member name; bad values are pushed to `errors`. */
  read(dto: Dto, body: Buffer, errors: FieldError[]): Record<string, unknown>;
}
