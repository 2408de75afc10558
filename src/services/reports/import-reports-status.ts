import type { ImportReportsStatus } from '../../model/reports.ts';
import { Errors, ImportOutcomeCode } from '../../shared/errors.ts';
import { requireCaller, type Handler, type ServiceParts } from '../context.ts';

/**
 * The store hands back the same pair list on every poll until it grows (a new list then); the map
 * built from it is kept (frozen, so the serialiser may keep its text too) until then.
 */
const maps = new WeakMap<ReadonlyArray<[string, string]>, { length: number; map: Readonly<Record<string, string>> }>();

function importedMap(pairs: ReadonlyArray<[string, string]>): Readonly<Record<string, string>> {
  const memo = maps.get(pairs);
  if (memo && memo.length === pairs.length) return memo.map;
  const map: Record<string, string> = {};
  for (const [id, number] of pairs) map[id] = number;
  Object.freeze(map);
  maps.set(pairs, { length: pairs.length, map });
  return map;
}

export const importReportsStatus = ({ store }: Pick<ServiceParts, 'store'>): Handler<typeof ImportReportsStatus> => async (req, ctx) => {
  const caller = requireCaller(ctx);
  const row = await store.importStatus(caller.orgId, req.ImportId);
  // another organisation's import answers exactly like one that does not exist
  if (!row) throw Errors.importNotFound(req.ImportId);
  if (row.status === 'Queued' || row.status === 'Importing') ctx.http.setHeader('retry-after', String(retryAfterSeconds(row, Date.now())));
  return {
    ImportedReports: importedMap(row.reports),
    TotalReportsImported: row.imported,
    TotalReports: row.total,
    StatusDescription: row.status,
    ResponseStatus: row.status === 'Failed'
      ? { ErrorCode: row.errorCode ?? ImportOutcomeCode.ImportFailed, Message: row.errorMessage ?? 'The import failed', Errors: [] }
      : undefined,
  };
};

/**
 * When to poll again, as a status monitor tells it (Azure's long-running operation guidelines):
 * the time the rest would take at the rate seen so far, between 1 and 10 seconds; 1 until a rate is known.
 */
export function retryAfterSeconds(row: { total: number; imported: number; startedAt: number | null }, now: number): number {
  if (row.startedAt === null || row.imported === 0 || now <= row.startedAt) return 1;
  const perSecond = row.imported / ((now - row.startedAt) / 1000);
  return Math.min(10, Math.max(1, Math.ceil((row.total - row.imported) / perSecond)));
}
