/**
 * Route matching with ServiceStack's rules, compiled from the registry: user routes first
 * (literals case-insensitive, variables bound to members case-insensitively, the most specific
 * route wins), then the predefined `/{format}/reply|oneway/{Op}` and `/{Op}` routes.
 */
import type { Operation, RouteDecl } from '../model/dsl.ts';
import { Errors } from '../shared/errors.ts';
import { memberLookup } from './dto-shape.ts';
import { formatByName, type WireFormat } from './formats/index.ts';

type Segment = { literal: string } | { variable: string };

interface CompiledRoute {
  op: Operation;
  decl: RouteDecl;
  segments: Segment[];
  verbs: ReadonlySet<string>;
  score: number;
}

export interface RouteMatch {
  op: Operation;
  params: Record<string, string>;
  /** the format a trailing `.json`/`.xml`/… named */
  extension?: WireFormat;
  /** the format of a predefined `/{format}/reply|oneway/{Op}` route */
  routeFormat?: WireFormat;
  /** a predefined route (`/{format}/reply/{Op}`, `/{Op}`): the body is read in the route's format */
  predefined: boolean;
}

export class Router {
  private readonly bySegmentCount = new Map<number, CompiledRoute[]>();
  private readonly byName = new Map<string, Operation>();

  constructor(operations: readonly Operation[]) {
    for (const op of operations) {
      this.byName.set(op.name.toLowerCase(), op);
      for (const decl of op.routes) {
        const route = compile(op, decl);
        const list = this.bySegmentCount.get(route.segments.length) ?? [];
        list.push(route);
        list.sort((a, b) => b.score - a.score);
        this.bySegmentCount.set(route.segments.length, list);
      }
    }
  }

  operation(name: string): Operation | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** `path` is relative to the API base path, without the query string, still URL-encoded. */
  match(method: string, rawPath: string): RouteMatch {
    let parts: string[];
    try {
      parts = rawPath.split('/').filter((p) => p !== '').map(decodeURIComponent);
    } catch {
      throw Errors.badPath(rawPath);
    }
    const extension = stripExtension(parts);

    const candidates = this.bySegmentCount.get(parts.length) ?? [];
    let verbMismatch: CompiledRoute | undefined;
    const allowed = new Set<string>();
    for (const route of candidates) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.verbs.has(method) || (method === 'HEAD' && route.verbs.has('GET'))) return { op: route.op, params, extension, predefined: false };
      verbMismatch ??= route;
      for (const v of route.verbs) allowed.add(v);
    }
    if (verbMismatch) throw Errors.verbNotAllowed(method, verbMismatch.decl.path, [...allowed]);

    // predefined routes: /{format}/reply|oneway/{Op} and /{Op}. With no message queue registered,
    // ServiceStack runs a oneway request as it runs a reply one and returns its response; so does this host
    if (parts.length === 3) {
      const f = formatByName(parts[0]);
      const kind = parts[1].toLowerCase();
      if (f && (kind === 'reply' || kind === 'oneway')) {
        const op = this.predefinedOperation(method, parts[2], rawPath);
        return { op, params: {}, extension, routeFormat: f, predefined: true };
      }
    }
    if (parts.length === 1) return { op: this.predefinedOperation(method, parts[0], rawPath), params: {}, extension, predefined: true };
    throw Errors.routeNotFound(method, '/' + parts.join('/'));
  }

  /**
   * A predefined route runs an operation for the verbs its routes declare, and POST (how
   * ServiceStack clients send any request there); a route without verbs takes any verb. A state
   * change therefore never runs for a GET a cross-site link or image can make.
   */
  private predefinedOperation(method: string, name: string, rawPath: string): Operation {
    const op = this.requireOperation(name);
    if (op.routes.length === 0 || op.routes.some((r) => r.verbs.length === 0)) return op;
    const allowed = new Set<string>(op.routes.flatMap((r) => r.verbs));
    allowed.add('POST');
    if (allowed.has(method) || (method === 'HEAD' && allowed.has('GET'))) return op;
    throw Errors.verbNotAllowed(method, rawPath, [...allowed]);
  }

  private requireOperation(name: string): Operation {
    const op = this.byName.get(name.toLowerCase());
    if (!op) throw Errors.unknownOperation(name);
    return op;
  }
}

function compile(op: Operation, decl: RouteDecl): CompiledRoute {
  const members = memberLookup(op.request);
  const segments: Segment[] = decl.path
    .split('/')
    .filter((p) => p !== '')
    .map((p) => {
      const v = /^\{(\w+)\}$/.exec(p);
      if (!v) return { literal: p.toLowerCase() };
      const m = members.get(v[1].toLowerCase());
      if (!m) throw new Error(`Route ${decl.path} of ${op.name} names {${v[1]}}, which is not a member of the request`);
      return { variable: m[0] };
    });
  const variables = segments.filter((s) => 'variable' in s).length;
  // literal-heavy routes first, then fewer variables, as ServiceStack ranks them
  const score = (segments.length - variables) * 100 + Math.max(10 - variables, 1);
  return { op, decl, segments, verbs: new Set(decl.verbs), score };
}

function matchSegments(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    if ('literal' in s) {
      if (parts[i].toLowerCase() !== s.literal) return undefined;
    } else params[s.variable] = parts[i];
  }
  return params;
}

/** Removes a trailing `.json`, `.xml`, … from the last segment, returning the format it names. */
function stripExtension(parts: string[]): WireFormat | undefined {
  const last = parts.at(-1);
  const dot = last ? last.lastIndexOf('.') : -1;
  if (!last || dot <= 0) return undefined;
  const ext = formatByName(last.slice(dot + 1));
  if (ext) parts[parts.length - 1] = last.slice(0, dot);
  return ext;
}

/** The formats a path names by its extension or a predefined route's first segment, whether or not it matches a route. */
export function pathFormats(rawPath: string): { extension?: WireFormat; routeFormat?: WireFormat } {
  const parts = rawPath.split('/').filter((p) => p !== '');
  const extension = stripExtension(parts);
  const kind = parts[1]?.toLowerCase();
  const routeFormat = parts.length >= 2 && (kind === 'reply' || kind === 'oneway') ? formatByName(parts[0]) : undefined;
  return { extension, routeFormat };
}
