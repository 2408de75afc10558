import type { ImportReportsStatus } from '../../model/reports.ts';
import { Errors } from '../../host/errors.ts';
import { requireCaller, type Handler } from '../context.ts';

export const importReportsStatus: Handler<typeof ImportReportsStatus> = async (req, ctx) => {
  const caller = requireCaller(ctx);
  const row = await ctx.store.importStatus(caller.orgId, req.ImportId);
  // another organisation's import answers exactly like one that does not exist
  if (!row) throw Errors.importNotFound(req.ImportId);
  const imported: Record<string, string> = {};
  for (const [id, number] of row.reports) imported[id] = number;
  return {
    ImportedReports: imported,
    TotalReportsImported: row.imported,
    TotalReports: row.total,
    StatusDescription: row.status,
    ResponseStatus: row.status === 'Failed'
      ? { ErrorCode: row.errorCode ?? 'ImportFailed', Message: row.errorMessage ?? 'The import failed', Errors: [] }
      : undefined,
  };
};
