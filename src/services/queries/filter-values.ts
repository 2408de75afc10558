/**
 * A request's filter members as its query description takes them: members not given, empty text
 * and a value meaning "any" are left out, dates become time ranges. Every bad date is reported at once.
 */
import type { FilterValue, PagedQuery } from '../../store/queries/paged-query.ts';
import { DateFilters } from '../paging.ts';

export function filterValues(q: PagedQuery, req: Record<string, unknown>): Record<string, FilterValue> {
  const values: Record<string, FilterValue> = {};
  const dates = new DateFilters();
  // in declaration order, the order the bad dates are listed in
  for (const member of Object.keys(q.operation.request.members)) {
    const f = q.filters[member];
    const v = req[member] as string | number | null | undefined;
    if (v == null) continue;
    let value: FilterValue | undefined;
    switch (f.kind) {
      case 'exact':
        value = v === f.any ? undefined : v;
        break;
      case 'boolean':
        value = v === 'True' ? true : v === 'False' ? false : undefined;
        break;
      case 'time':
        value = f.bound === 'day' ? dates.day(member, v as string)
          : f.bound === 'since' ? optionalRange({ from: dates.at(member, v as string) })
          : optionalRange({ to: dates.at(member, v as string, true) });
        break;
      case 'set':
        value = v;
        break;
      default:
        value = v === '' ? undefined : v;
    }
    if (value !== undefined) values[member] = value;
  }
  dates.check();
  return values;
}

const optionalRange = (r: { from?: number; to?: number }) => (r.from === undefined && r.to === undefined ? undefined : r);
