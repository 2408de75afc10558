/** Every wire format the API speaks, in ServiceStack's order of preference for Accept headers (JSON first). */
import type { WireFormat } from './format.ts';
import { jsonFormat } from './json.ts';
import { xmlFormat } from './xml.ts';
import { jsvFormat } from './jsv.ts';
import { csvFormat } from './csv.ts';

export const wireFormats: readonly WireFormat[] = [jsonFormat, xmlFormat, jsvFormat, csvFormat];

export { jsonFormat, xmlFormat, jsvFormat, csvFormat };
export type { WireFormat };

const byName = new Map(wireFormats.map((f) => [f.name, f]));
const byMediaType = new Map(wireFormats.flatMap((f) => f.mediaTypes.map((m) => [m, f] as const)));

/** `json`, `XML`, … (case-insensitive) */
export function formatByName(name: string): WireFormat | undefined {
  return byName.get(name.toLowerCase());
}

/** A Content-Type or Accept entry (parameters ignored). */
export function formatByMediaType(mediaType: string): WireFormat | undefined {
  return byMediaType.get(mediaType.split(';')[0].trim().toLowerCase());
}
