/**
 * What every list operation shares: the order its PagingRequestBase asks for, the date filters,
 * and the GetResponseBase of a page, whose links repeat the request's filters.
 */
import { allMembers, type Operation } from '../model/dsl.ts';
import { Errors, type FieldError, type ValidationCodeValue } from '../shared/errors.ts';
import type { PageRequest, SortKey, TimeRange } from '../store/queries/paged-query.ts';
import type { RequestContext } from './context.ts';

interface PagingRequest<K extends string> {
  Skip?: number | null;
  Take?: number | null;
  OrderBy?: K | null;
  OrderByDesc?: K | null;
  ThenBy?: K | null;
  ThenByDesc?: K | null;
}

/** OrderBy wins over OrderByDesc, ThenBy over ThenByDesc; a ThenBy equal to the first key adds nothing. */
export function sortKeys<K extends string>(req: PagingRequest<K>): Array<SortKey<K>> {
  const keys: Array<SortKey<K>> = [];
  const first = req.OrderBy ? { key: req.OrderBy, desc: false } : req.OrderByDesc ? { key: req.OrderByDesc, desc: true } : undefined;
  if (first) keys.push(first);
  const then = req.ThenBy ? { key: req.ThenBy, desc: false } : req.ThenByDesc ? { key: req.ThenByDesc, desc: true } : undefined;
  if (then && then.key !== first?.key) keys.push(then);
  return keys;
}

export function pageRequest(req: PagingRequest<string>): PageRequest {
  return { skip: req.Skip ?? 0, take: req.Take ?? 100 };
}

const filterDatePattern = /^(\d{4})[/-](\d{2})[/-](\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;
const DAY_MS = 86_400_000;

/** Collects the date filters of a request; every bad one is reported at once. */
export class DateFilters {
  private readonly errors: FieldError<ValidationCodeValue>[] = [];

  /** `yyyy/MM/dd HH:mm:ss` in UTC (the time optional: 00:00:00, or 23:59:59 for an `end`); epoch ms. */
  at(member: string, text: string | null | undefined, end = false): number | undefined {
    if (text == null || text.trim() === '') return undefined;
    const m = filterDatePattern.exec(text.trim());
    const [y, mo, d] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
    const hasTime = m?.[4] !== undefined;
    const [h, mi, s] = hasTime ? [Number(m![4]), Number(m![5]), Number(m![6] ?? 0)] : end ? [23, 59, 59] : [0, 0, 0];
    // Date.UTC reads years 0-99 as 1900-1999; setUTCFullYear takes the year as given
    const back = new Date(Date.UTC(2000, mo - 1, d, h, mi, s));
    back.setUTCFullYear(y, mo - 1, d);
    const ms = back.getTime();
    // Date.UTC rolls 2026/02/30 over into March: a date that does not come back unchanged does not exist
    if (!m || y < 1 || back.getUTCDate() !== d || back.getUTCMonth() !== mo - 1 || h > 23 || mi > 59 || s > 59) {
      this.errors.push({
        errorCode: 'InvalidDate',
        fieldName: member,
        message: `'${member}' must be a date in the form yyyy/MM/dd or yyyy/MM/dd HH:mm:ss (e.g. 2026/03/01 14:30:00); '${text}' is not.`,
      });
      return undefined;
    }
    // the end of a second includes its milliseconds
    return end ? ms + 999 : ms;
  }

  /** The whole (UTC) day of the given date. */
  day(member: string, text: string | null | undefined): TimeRange | undefined {
    const at = this.at(member, text);
    if (at === undefined) return undefined;
    const from = at - (at % DAY_MS);
    return { from, to: from + DAY_MS - 1 };
  }

  /** Throws the 400 listing every bad date. */
  check(): void {
    if (this.errors.length) throw Errors.validation(this.errors);
  }
}

interface Link { Name: string; RequestUrl: string; Method: string }

/** TotalResults, Skip, Take and the links to the pages beside this one, carrying the same filters. */
export function pageResponse(op: Operation, req: Record<string, unknown>, page: PageRequest, total: number, ctx: RequestContext) {
  const links: Link[] = [];
  const route = op.routes[0];
  const link = (name: string, skip: number) => {
    const query = new URLSearchParams();
    for (const [name, m] of allMembers(op.request)) {
      const v = req[name];
      if (v == null || name === 'Skip' || name === 'Take' || m.in === 'path' || v === m.default) continue;
      query.set(name, v instanceof Date ? v.toISOString() : String(v));
    }
    query.set('Skip', String(skip));
    query.set('Take', String(page.take));
    links.push({ Name: name, RequestUrl: `${ctx.http.origin}/api${route.path}?${query}`, Method: route.verbs[0] });
  };
  if (page.skip > 0) link('previous', Math.max(0, page.skip - page.take));
  if (page.skip + page.take < total) link('next', page.skip + page.take);
  return { TotalResults: total, Skip: page.skip, Take: page.take, Links: links };
}
