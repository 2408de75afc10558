import type { WireFormat } from './format.ts';
import { jsonFormat } from './json.ts';

/** JSON wrapped in a call of `callback` (already sanitised), for `?callback=`. */
export function jsonpFormat(callback: string): WireFormat {
  return {
    name: 'json',
    contentType: 'text/javascript',
    mediaTypes: [],
    errorsAsOk: true,
    write: (dto, value) => `${callback}(${jsonFormat.write(dto, value)})`,
    read: jsonFormat.read,
  };
}
