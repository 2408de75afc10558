/**
 * GET /openapi.json: an OpenAPI 3.1 description of every operation's routes, derived from the
 * registry, so clients in any language can be generated from it.
 */
import { allMembers, type Dto, type Member, type Operation, type TypeRef, type Verb } from '../../model/dsl.ts';
import { isValueType, memberLookup } from '../dto-shape.ts';
import { errorDto } from '../respond.ts';
import { referencedDtos } from '../metadata/type-graph.ts';
import { serviceVersion } from '../client-types/service-version.ts';

type Schema = Record<string, unknown>;

const json = 'application/json';
const bodyVerbs: ReadonlySet<Verb> = new Set(['POST', 'PUT', 'PATCH']);
const credentials = [{ bearer: [] }, { basic: [] }, { session: [] }];

/** Generic classes get their type arguments in the name: `PagingRequestBase_ReportOrder`. */
function schemaName(d: Dto): string {
  const args = d.genericArgs?.map((a) => (a.kind === 'enum' ? a.decl.name : a.kind === 'ref' ? schemaName(a.dto) : a.kind));
  return args?.length ? `${d.name}_${args.join('_')}` : d.name;
}

const ref = (d: Dto) => ({ $ref: `#/components/schemas/${schemaName(d)}` });

function scalarSchema(type: TypeRef & { kind: 'scalar' }): Schema {
  switch (type.name) {
    case 'string': return { type: 'string' };
    case 'guid': return { type: 'string', format: 'uuid' };
    case 'int': return { type: 'integer', format: 'int32' };
    case 'long': return { type: 'integer', format: 'int64' };
    case 'decimal': return { type: 'number' };
    case 'bool': return { type: 'boolean' };
    case 'dateTime': return { type: 'string', format: 'date-time' };
    case 'bytes': return { type: 'string', contentEncoding: 'base64' };
  }
}

function typeSchema(type: TypeRef): Schema {
  switch (type.kind) {
    case 'scalar': return scalarSchema(type);
    case 'enum': return { $ref: `#/components/schemas/${type.decl.name}` };
    case 'list': return { type: 'array', items: typeSchema(type.of) };
    case 'dict': return { type: 'object', propertyNames: typeSchema(type.key), additionalProperties: typeSchema(type.value) };
    case 'ref': return ref(type.dto);
  }
}

function memberSchema(m: Member): Schema {
  let s = typeSchema(m.type);
  if (m.nullable && isValueType(m.type)) {
    s = m.type.kind === 'scalar' ? { ...s, type: [s.type, 'null'] } : { anyOf: [s, { type: 'null' }] };
  }
  const extra: Schema = {};
  if (m.description) extra.description = m.description;
  if (m.maxLength !== undefined) extra.maxLength = m.maxLength;
  if (m.min !== undefined) extra.minimum = m.min;
  if (m.max !== undefined) extra.maximum = m.max;
  if (m.default !== undefined && !(m.default instanceof Date) && !Buffer.isBuffer(m.default)) extra.default = m.default;
  return { ...s, ...extra };
}

/** Members of base classes are written out in each class: generators need no inheritance support. */
function objectSchema(d: Dto): Schema {
  const members = allMembers(d);
  const required = members.filter(([, m]) => m.required).map(([name]) => name);
  return {
    type: 'object',
    ...(d.description ? { description: d.description } : {}),
    properties: Object.fromEntries(members.map(([name, m]) => [name, memberSchema(m)])),
    ...(required.length ? { required } : {}),
  };
}

/** `{importId}` in a declared route becomes the member's own name, as parameters must match it. */
function pathTemplate(op: Operation, path: string): { path: string; variables: string[] } {
  const lookup = memberLookup(op.request);
  const variables: string[] = [];
  const out = path.replace(/\{(\w+)\}/g, (_, v: string) => {
    const name = lookup.get(v.toLowerCase())?.[0] ?? v;
    variables.push(name);
    return `{${name}}`;
  });
  return { path: out, variables };
}

function parameters(op: Operation, variables: string[], verb: Verb): Schema[] {
  const members = allMembers(op.request);
  const pathParams = variables.map((v) => {
    const m = members.find(([name]) => name === v)![1];
    return { name: v, in: 'path', required: true, ...(m.description ? { description: m.description } : {}), schema: memberSchema(m) };
  });
  if (bodyVerbs.has(verb)) return pathParams;
  const queryParams = members
    .filter(([name]) => !variables.includes(name))
    .map(([name, m]) => ({
      name,
      in: 'query',
      ...(m.required ? { required: true } : {}),
      ...(m.description ? { description: m.description } : {}),
      // lists go as one comma-separated value, as ServiceStack reads query strings
      ...(m.type.kind === 'list' ? { style: 'form', explode: false } : {}),
      schema: memberSchema(m),
    }));
  return [...pathParams, ...queryParams];
}

function operationObject(op: Operation, verb: Verb, variables: string[], operationId: string): Schema {
  const body = bodyVerbs.has(verb);
  const responses: Schema = {
    200: { description: 'Success', content: { [json]: { schema: ref(op.response) } } },
    default: {
      description: 'An error: ResponseStatus holds ErrorCode, Message and the field Errors',
      content: { [json]: { schema: ref(errorDto(op)) } },
    },
  };
  if (op.requiresAuth) responses[401] = { description: 'Not authenticated: send an API key as a Bearer token, Basic credentials, or a session cookie' };
  return {
    operationId,
    tags: [op.tag],
    ...(op.summary ? { summary: op.summary } : {}),
    ...(op.notes ? { description: op.notes } : {}),
    parameters: parameters(op, variables, verb),
    ...(body ? { requestBody: { required: true, content: { [json]: { schema: ref(op.request) } } } } : {}),
    responses,
    security: op.requiresAuth ? credentials : [],
  };
}

export function openApiDocument(operations: readonly Operation[], serverUrl: string): Schema {
  const paths: Record<string, Schema> = {};
  for (const op of operations) {
    const routes = op.routes.length ? op.routes : [{ path: `/${op.name}`, verbs: ['POST'] as const }];
    let n = 0;
    for (const route of routes) {
      const { path, variables } = pathTemplate(op, route.path);
      for (const verb of route.verbs) {
        n++;
        const item = (paths[path] ??= {});
        item[verb.toLowerCase()] = operationObject(op, verb, variables, n === 1 ? op.name : `${op.name}_${n}`);
      }
    }
  }
  const roots = operations.flatMap((op) => [op.request, op.response, errorDto(op)]);
  const dtos = new Map<string, Dto>();
  for (const d of [...roots, ...referencedDtos(roots)]) if (!dtos.has(schemaName(d))) dtos.set(schemaName(d), d);
  const schemas: Record<string, Schema> = {};
  for (const [name, d] of dtos) schemas[name] = objectSchema(d);
  for (const d of dtos.values()) {
    for (const [, m] of allMembers(d)) collectEnums(m.type, schemas);
  }
  const tags = [...new Set(operations.map((op) => op.tag))].map((name) => ({ name }));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Coruson Reports API',
      version: serviceVersion,
      description: 'Import occurrence reports as XML files, follow their numbering, and read reports, their fields and forms.',
    },
    servers: [{ url: serverUrl }],
    tags,
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key' },
        basic: { type: 'http', scheme: 'basic', description: 'User name and password; or an API key as the user name with an empty password' },
        session: { type: 'apiKey', in: 'cookie', name: 'ss-id', description: 'The session cookie set by Authenticate' },
      },
    },
  };
}

function collectEnums(type: TypeRef, schemas: Record<string, Schema>): void {
  if (type.kind === 'enum') schemas[type.decl.name] ??= { type: 'string', enum: [...type.decl.values], ...(type.decl.description ? { description: type.decl.description } : {}) };
  else if (type.kind === 'list') collectEnums(type.of, schemas);
  else if (type.kind === 'dict') collectEnums(type.value, schemas);
}
