/**
 * A request's filters as constraints on columns, before any SQL is written: the builder renders
 * them per dialect, and the runner reads from them whether a count or an index hint can be cheaper.
 */
import type { FilterValue, LookupRow, PagedQuery, QueryInput, TimeRange } from './paged-query.ts';

export type Constraint =
  /** one value is equality, none matches nothing */
  | { kind: 'in'; column: string; values: readonly unknown[] }
  | { kind: 'range'; column: string; range: TimeRange }
  | { kind: 'contains'; column: string; text: string }
  | { kind: 'sql'; render: (param: (value: unknown) => string) => string };

export interface QueryPlan {
  /** the organisation, or the lookup rows standing for it, first; then the filters in their described order */
  constraints: Constraint[];
  /** a lookup took the organisation's place */
  narrowed: boolean;
}

/** The lookups the given filters need read. */
export function lookupsNeeded(q: PagedQuery, input: QueryInput): string[] {
  const names = new Set<string>();
  for (const [member, f] of Object.entries(q.filters)) {
    if (input.values[member] === undefined) continue;
    if (f.kind === 'related') names.add(f.lookup);
    if (f.kind === 'custom' && f.uses) names.add(f.uses);
  }
  return [...names];
}

const intersect = (a: TimeRange, b: TimeRange): TimeRange => ({
  from: a.from === undefined ? b.from : b.from === undefined ? a.from : Math.max(a.from, b.from),
  to: a.to === undefined ? b.to : b.to === undefined ? a.to : Math.min(a.to, b.to),
});

export function planQuery(q: PagedQuery, input: QueryInput, lookups: Readonly<Record<string, readonly LookupRow[]>>): QueryPlan {
  const given = Object.entries(q.filters).filter(([member]) => input.values[member] !== undefined);
  const value = (member: string) => input.values[member] as FilterValue;
  const constraints: Constraint[] = [];
  // filters on one column (a day and a since, a status and a distribution) share one place, at the first
  const byColumn = new Map<string, Constraint>();
  const merge = (c: Extract<Constraint, { kind: 'in' | 'range' }>) => {
    const prev = byColumn.get(c.column) as typeof c | undefined;
    if (!prev) {
      byColumn.set(c.column, c);
      constraints.push(c);
    } else if (prev.kind === 'range' && c.kind === 'range') prev.range = intersect(prev.range, c.range);
    else if (prev.kind === 'in' && c.kind === 'in') prev.values = prev.values.filter((v) => c.values.includes(v));
    else throw new Error(`${q.operation.name}: ${c.column} is filtered as a range and as a set`);
  };

  for (const [member, f] of given) {
    const v = value(member);
    switch (f.kind) {
      case 'exact':
        if (f.through) {
          const { table, key, id } = f.through;
          constraints.push({ kind: 'sql', render: (p) => `${f.column} = (SELECT ${key} FROM ${table} WHERE ${id} = ${p(v)})` });
        } else constraints.push({ kind: 'in', column: f.column, values: [v] });
        break;
      case 'contains':
        constraints.push({ kind: 'contains', column: f.column, text: v as string });
        break;
      case 'time':
        merge({ kind: 'range', column: f.column, range: { ...(v as TimeRange) } });
        break;
      case 'boolean':
        constraints.push({ kind: 'in', column: f.column, values: [v] });
        break;
      case 'set': {
        const values = f.values[v as string];
        if (values) merge({ kind: 'in', column: f.column, values: [...values] });
        break;
      }
      case 'custom': {
        const render = f.predicate(v as string, f.uses ? lookups[f.uses] : []);
        if (render) constraints.push({ kind: 'sql', render });
        break;
      }
      case 'related':
        break;
    }
  }

  // a lookup's rows are the organisation's: narrowed to their keys, the query needs no organisation predicate
  const scope: Constraint[] = [];
  for (const [name, lookup] of Object.entries(q.lookups ?? {})) {
    const filters = given.filter(([, f]) => f.kind === 'related' && f.lookup === name);
    if (!filters.length) continue;
    const rows = lookups[name].filter((row) => filters.every(([member, f]) => {
      const { field, match } = f as Extract<typeof f, { kind: 'related' }>;
      const wanted = value(member);
      return match === 'exact' ? row[field] === wanted : String(row[field]).toLowerCase().includes(String(wanted).toLowerCase());
    }));
    scope.push({ kind: 'in', column: lookup.narrows, values: rows.map((row) => row[lookup.key]) });
  }
  const narrowed = scope.length > 0;
  if (!narrowed) scope.push({ kind: 'in', column: q.organisation, values: [input.orgId] });
  return { constraints: [...scope, ...constraints], narrowed };
}

/**
 * Whether the count can be summed from the counts table: every constraint is a set of values of
 * one of its columns (what `visible` asks is what the table counts).
 */
export function countedOnly(q: PagedQuery, plan: QueryPlan): boolean {
  const counted = q.counts?.by.map((c) => (q.from.as ? `${q.from.as}.${c}` : c));
  return !!counted && plan.constraints.every((c) => c.kind === 'in' && counted.includes(c.column));
}
