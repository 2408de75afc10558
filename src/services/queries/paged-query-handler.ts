/** The one handler of every paged query operation: its description says what to filter, order and return. */
import type { ResponseOf } from '../../model/dsl.ts';
import type { PagedQuery } from '../../store/queries/paged-query.ts';
import { requireCaller, type Handler, type ServiceParts } from '../context.ts';
import { pageRequest, pageResponse, sortKeys } from '../paging.ts';
import { filterValues } from './filter-values.ts';

function pagedQueryHandler<Q extends PagedQuery>(query: Q, { store }: Pick<ServiceParts, 'store'>): Handler<Q['operation']> {
  return async (req, ctx) => {
    const caller = requireCaller(ctx);
    const values = filterValues(query, req as Record<string, unknown>);
    const page = pageRequest(req);
    const result = await store.queryPage(query, { orgId: caller.orgId, ...page, order: sortKeys(req), values });
    return { ...pageResponse(ctx.op, req, page, result.total, ctx), [query.rows.member]: result.rows } as ResponseOf<Q['operation']>;
  };
}

type HandlersOf<L extends readonly PagedQuery[]> = { [Q in L[number] as Q['operation']['name']]: Handler<Q['operation']> };

/** A handler for each description, under its operation's name. */
export function pagedQueryHandlers<const L extends readonly PagedQuery[]>(queries: L, parts: Pick<ServiceParts, 'store'>): HandlersOf<L> {
  return Object.fromEntries(queries.map((q) => [q.operation.name, pagedQueryHandler(q, parts)])) as HandlersOf<L>;
}
