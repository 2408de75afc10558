/**
 * Which format a response is written in, in ServiceStack's order: a route extension, then
 * `?callback=` (JSONP), then `?format=`, then the predefined route's format segment, then the
 * Accept header (JSON, XML, JSV preferred in that order; the request's own Content-Type wins a
 * tie), then the request's Content-Type for `Accept: *\/*`, then JSON.
 */
import { ApiError, Errors } from '../shared/errors.ts';
import { jsonpFormat } from './formats/jsonp.ts';
import { formatByMediaType, formatByName, jsonFormat, jsvFormat, xmlFormat, type WireFormat } from './formats/index.ts';

export interface FormatInputs {
  extension?: WireFormat;
  routeFormat?: WireFormat;
  query: Record<string, string | string[] | undefined>;
  accept?: string;
  contentType?: string;
}

export interface Negotiated {
  format: WireFormat;
  /** a ?format= naming no format: answered in `format` */
  problem?: ApiError;
}

const preferred: ReadonlyArray<[string, WireFormat]> = [
  ['application/json', jsonFormat],
  ['application/xml', xmlFormat],
  ['application/jsv', jsvFormat],
];

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** JSONP callback names keep only `[A-Za-z0-9._]`; anything else becomes `_`. */
function jsonpCallback(query: Record<string, string | string[] | undefined>): string | undefined {
  const cb = first(query.callback);
  return cb ? cb.replace(/[^A-Za-z0-9._]/g, '_') : undefined;
}

export function negotiate(i: FormatInputs): Negotiated {
  const n = chooseFormat(i);
  const callback = n.format === jsonFormat ? jsonpCallback(i.query) : undefined;
  return callback ? { ...n, format: jsonpFormat(callback) } : n;
}

function chooseFormat(i: FormatInputs): Negotiated {
  if (i.extension) return { format: i.extension };
  if (jsonpCallback(i.query)) return { format: jsonFormat };
  const asked = first(i.query.format);
  if (asked) {
    // text after a dot is a modifier (`json.x`)
    const f = formatByName(asked.split('.')[0]);
    if (f) return { format: f };
    return { format: i.routeFormat ?? fromAccept(i.accept, i.contentType), problem: Errors.unknownFormat(asked) };
  }
  if (i.routeFormat) return { format: i.routeFormat };
  return { format: fromAccept(i.accept, i.contentType) };
}

function fromAccept(accept: string | undefined, contentType: string | undefined): WireFormat {
  const own = contentType ? formatByMediaType(contentType) : undefined;
  if (!accept) return own ?? jsonFormat;
  const entries = accept.toLowerCase().split(',').map((e) => e.split(';')[0].trim());
  let bestRank = preferred.length;
  for (const e of entries) {
    for (let rank = 0; rank < preferred.length; rank++) {
      const [type, f] = preferred[rank];
      if (!e.startsWith(type)) continue;
      if (f === own) return f;
      bestRank = Math.min(bestRank, rank);
    }
  }
  if (bestRank < preferred.length) return preferred[bestRank][1];
  if (entries.some((e) => e === '*/*' || e === '*')) return own ?? jsonFormat;
  for (const e of entries) {
    const f = formatByMediaType(e);
    if (f) return f;
  }
  return jsonFormat;
}
