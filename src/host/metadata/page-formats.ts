/**
 * The formats the operation pages document (`/{format}/metadata?op=`), each able to write the
 * sample HTTP request and response of an operation in that format.
 */
import type { Operation } from '../../model/dsl.ts';
import type { WireFormat } from '../formats/format.ts';
import { jsonFormat } from '../formats/json.ts';
import { operationVerbs } from './type-graph.ts';
import { sampleDto } from './sample-values.ts';

export interface PageFormat {
  /** the path segment: `json`, `soap12` */
  readonly name: string;
  readonly label: string;
  sampleRequest(op: Operation, host: string, basePath: string): string;
  sampleResponse(op: Operation): string;
}

const indentJson = (text: string) => JSON.stringify(JSON.parse(text), null, 2);

/** A format served on the operations' own routes and `/{format}/reply/{Op}`. */
function restPageFormat(f: WireFormat, label: string, pretty: (text: string) => string = (t) => t): PageFormat {
  const mime = f.mediaTypes[0];
  return {
    name: f.name,
    label,
    sampleRequest(op, host, basePath) {
      // ServiceStack's choice: the most body-like verb, and the first route that takes a POST
      const verb = operationVerbs(op)[0] ?? 'POST';
      const postRoute = op.routes.find((r) => r.verbs.includes('POST'));
      const path = postRoute ? basePath + postRoute.path : `${basePath}/${f.name}/reply/${op.name}`;
      const body = pretty(f.write(op.request, sampleDto(op.request)));
      return `${verb} ${path} HTTP/1.1 \nHost: ${host} \nAccept: ${mime}\nContent-Type: ${mime}\nContent-Length: length\n\n${body}`;
    },
    sampleResponse(op) {
      const body = pretty(f.write(op.response, sampleDto(op.response)));
      return `HTTP/1.1 200 OK\nContent-Type: ${mime}\nContent-Length: length\n\n${body}`;
    },
  };
}

export const pageFormats: readonly PageFormat[] = [restPageFormat(jsonFormat, 'JSON', indentJson)];

export function pageFormat(name: string): PageFormat | undefined {
  return pageFormats.find((f) => f.name === name.toLowerCase());
}
