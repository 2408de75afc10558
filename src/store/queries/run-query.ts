/**
 * How a store answers any paged query: read the lookups its filters need, plan, choose the
 * statements' shape, then read the count and the page in one snapshot. A dialect supplies only
 * the reading.
 */
import type { LookupRow, Page, PagedQuery, QueryInput } from './paged-query.ts';
import { buildQuery, lookupStatement, shareStatement, type BuiltQuery, type Dialect } from './build-query.ts';
import { countedOnly, lookupsNeeded, planQuery, type QueryPlan } from './query-plan.ts';
import { rowReader } from './row-values.ts';

export interface QueryReader {
  readonly dialect: Dialect;
  all(sql: string, params: readonly unknown[]): Promise<LookupRow[]>;
  /** The count, and the page when the count reaches past `skip`, read in one snapshot. */
  page(q: BuiltQuery, skip: number): Promise<Page<LookupRow>>;
}

export async function runPagedQuery(q: PagedQuery, input: QueryInput, reader: QueryReader): Promise<Page<Record<string, unknown>>> {
  const lookups: Record<string, LookupRow[]> = {};
  for (const name of lookupsNeeded(q, input)) lookups[name] = await reader.all(lookupStatement(q.lookups![name], reader.dialect), [input.orgId]);
  const plan = planQuery(q, input, lookups);
  const walk = await walkIndex(q, input, plan, reader);
  const page = await reader.page(buildQuery(q, input, plan, reader.dialect, { walk }), input.skip);
  const toRow = rowReader(q.rows.dto);
  return { total: page.total, rows: page.rows.map(toRow) };
}

/** The index to walk in order, when the description has one, SQLite plans the query, and the wanted rows are a good share. */
async function walkIndex(q: PagedQuery, input: QueryInput, plan: QueryPlan, reader: QueryReader): Promise<string | undefined> {
  const w = q.walkInOrder;
  if (!w || reader.dialect !== 'sqlite' || plan.narrowed || !countedOnly(q, plan) || !input.order.every((k) => k.key === 'Default')) return undefined;
  const set = plan.constraints.find((c) => c.kind === 'in' && c.column === w.share);
  if (set?.kind !== 'in' || set.values.length < 2) return undefined;
  const counts = await reader.all(shareStatement(q)!, [input.orgId]) as Array<{ value: unknown; n: number }>;
  const all = counts.reduce((sum, c) => sum + c.n, 0);
  const wanted = counts.filter((c) => set.values.includes(c.value)).reduce((sum, c) => sum + c.n, 0);
  return wanted >= all * w.atLeast ? w.index : undefined;
}
