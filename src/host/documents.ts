/**
 * The documents under the API base path that are not operations: the import schema, the
 * metadata pages, the client types, OpenAPI and the WSDLs (GET on the SOAP endpoints). They answer GET without credentials, before
 * the operation router, whose predefined `/{Op}` route would otherwise claim `/metadata`.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Operation } from '../model/dsl.ts';
import { ApiError, Errors } from '../shared/errors.ts';
import { errorPage } from './metadata/error-page.ts';
import { pageSecurityPolicy } from './metadata/html.ts';
import { indexPage } from './metadata/index-page.ts';
import { operationPage } from './metadata/operation-page.ts';
import { pageFormat, pageFormats } from './metadata/page-formats.ts';
import { typeScriptOptions, typeScriptTypes } from './client-types/typescript.ts';
import { typesMetadata } from './client-types/types-metadata.ts';
import { checkedOrigin } from './client-types/option-values.ts';
import { openApiDocument } from './openapi/openapi.ts';
import { WsdlCache, wsdlContentType } from './soap/endpoint.ts';
import type { SoapVersion } from './soap/envelope.ts';

interface DocumentRequest {
  /** the path pattern's captures */
  captures: string[];
  query: Record<string, unknown>;
  /** scheme, host and port the client called: `https://reports.example.com` */
  origin: string;
  host: string;
}

interface Document {
  contentType: string;
  body: string | Buffer;
}

export interface DocumentRoute {
  /** matched against the path below the base path */
  pattern: RegExp;
  /** errors are written as an HTML page rather than a ResponseStatus */
  html?: boolean;
  answer(r: DocumentRequest): Document | Promise<Document>;
}

const htmlType = 'text/html; charset=utf-8';
const jsonType = 'application/json; charset=utf-8';
const schemaFile = new URL('../../schema/report-import.xsd', import.meta.url);

function decodePathPart(part: string, path: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw Errors.badPath(path);
  }
}

function firstText(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' ? v : undefined;
}

export function documentRoutes(operations: readonly Operation[], basePath: string): DocumentRoute[] {
  let schema: Promise<Buffer> | undefined;
  const byName = new Map(operations.map((op) => [op.name.toLowerCase(), op]));
  const wsdls = new WsdlCache(operations);
  return [
    {
      pattern: /^\/reports\/import\/schema\/?$/i,
      answer: async () => ({ contentType: 'application/xml; charset=utf-8', body: await (schema ??= readFile(schemaFile)) }),
    },
    {
      pattern: /^\/metadata\/?$/i,
      html: true,
      answer: () => ({ contentType: htmlType, body: indexPage(operations, basePath, pageFormats) }),
    },
    {
      pattern: /^\/types\/?$/i,
      answer: ({ origin }) => ({
        contentType: jsonType,
        body: JSON.stringify({ Metadata: `${origin}${basePath}/types/metadata`, TypeScript: `${origin}${basePath}/types/typescript` }),
      }),
    },
    {
      pattern: /^\/types\/typescript\/?$/i,
      answer: ({ origin, query }) => ({ contentType: 'text/plain; charset=utf-8', body: typeScriptTypes(operations, checkedOrigin(origin) + basePath, typeScriptOptions(query)) }),
    },
    {
      pattern: /^\/types\/metadata\/?$/i,
      answer: ({ origin }) => ({ contentType: jsonType, body: JSON.stringify(typesMetadata(operations, origin)) }),
    },
    {
      pattern: /^\/openapi(\.json)?\/?$/i,
      answer: ({ origin }) => ({ contentType: jsonType, body: JSON.stringify(openApiDocument(operations, origin + basePath)) }),
    },
    {
      pattern: /^\/soap(11|12)\/?$/i,
      answer: ({ captures: [version], origin }) => ({
        contentType: wsdlContentType,
        body: wsdls.get(Number(version) as SoapVersion, `${origin}${basePath}/soap${version}`),
      }),
    },
    // last: `/types/metadata` is a document of its own, not a page in a format named "types"
    {
      pattern: /^\/([^/]+)\/metadata\/?$/i,
      html: true,
      answer({ captures: [name], query, host }) {
        const format = pageFormat(name);
        if (!format) throw Errors.unknownPageFormat(name, pageFormats.map((f) => f.name).join(', '));
        const opName = firstText(query.op);
        if (!opName) return { contentType: htmlType, body: indexPage(operations, basePath, pageFormats, format) };
        const op = byName.get(opName.toLowerCase());
        if (!op) throw Errors.unknownPageOperation(opName);
        return { contentType: htmlType, body: operationPage(op, format, host, basePath) };
      },
    },
  ];
}

/**
 * Answers a GET or HEAD for a document; returns false when no document has the path. The reply
 * itself is not returned: it is a thenable, and an async caller returning it would wait on it.
 * ApiErrors of HTML pages become error pages; others are thrown for the host to write.
 */
export async function answerDocument(
  routes: readonly DocumentRoute[],
  path: string,
  basePath: string,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<boolean> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    try {
      const captures = m.slice(1).map((c) => decodePathPart(c ?? '', path));
      const doc = await route.answer({ captures, query: req.query as Record<string, unknown>, origin: `${req.protocol}://${req.host}`, host: req.host });
      if (route.html) reply.header('content-security-policy', pageSecurityPolicy);
      reply.header('content-type', doc.contentType).send(doc.body);
      return true;
    } catch (err) {
      if (!(route.html && err instanceof ApiError)) throw err;
      reply.raw.statusMessage = err.errorCode;
      reply.code(err.status).header('content-security-policy', pageSecurityPolicy).header('content-type', htmlType).send(errorPage(err, basePath));
      return true;
    }
  }
  return false;
}
