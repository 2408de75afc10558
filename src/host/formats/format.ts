import type { Dto } from '../../model/dsl.ts';
import type { FieldError } from '../errors.ts';

/** One wire format: how a DTO is written to and read from an HTTP body. */
export interface WireFormat {
  readonly name: string;
  /** Content-Type written on responses */
  readonly contentType: string;
  /** media types accepted on requests and in Accept headers */
  readonly mediaTypes: readonly string[];
  write(dto: Dto, value: unknown): string;
  /** Reads a body into a plain object keyed by member name; bad values are pushed to `errors`. */
  read(dto: Dto, body: Buffer, errors: FieldError[]): Record<string, unknown>;
}
