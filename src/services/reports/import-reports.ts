import { randomUUID } from 'node:crypto';
import type { ImportReports } from '../../model/reports.ts';
import { Errors, type FieldError } from '../../host/errors.ts';
import { parseImportFile } from '../../import/parse-import-file.ts';
import type { FormRef, ImportProblem } from '../../import/report-record.ts';
import { requireCaller, type Handler } from '../context.ts';

/** Reports per staged batch: one worker transaction each. */
const batchSize = 500;

export const importReports: Handler<typeof ImportReports> = async (req, ctx) => {
  const caller = requireCaller(ctx);
  const file = req.FileBytes;
  if (file.length > ctx.limits.maxFileBytes) throw Errors.importFileTooLarge(file.length, ctx.limits.maxFileBytes);

  const forms = new Map<string, FormRef>();
  for (const f of await ctx.store.listForms(caller.orgId)) {
    forms.set(f.name.toLowerCase(), { pk: f.pk, name: f.name, active: f.status === 'Active' });
  }
  const outcome = await parseImportFile(file, { forms: (name) => forms.get(name.toLowerCase()), limits: ctx.limits });
  if (!outcome.ok) throw Errors.invalidImportFile(outcome.problems.map(toFieldError), outcome.truncated);

  const importId = randomUUID();
  const accepted = await ctx.store.acceptImport({
    orgId: caller.orgId,
    userId: caller.userId,
    importId,
    filename: req.Filename,
    reports: outcome.reports,
    batchSize,
    now: Date.now(),
  });
  ctx.worker.wake();
  ctx.log.info({ importId, org: caller.orgName, total: accepted.total, duplicates: accepted.duplicates.length + outcome.duplicatesInFile.length }, 'import accepted');
  return {
    ImportId: importId,
    DuplicateReports: [...new Set([...accepted.duplicates, ...outcome.duplicatesInFile])],
    StatusDescription: accepted.status,
  };
};

function toFieldError(p: ImportProblem): FieldError {
  const meta: Record<string, string> = {};
  if (p.line !== undefined) meta.Line = String(p.line);
  if (p.column !== undefined) meta.Column = String(p.column);
  if (p.reportId !== undefined) meta.ReportId = p.reportId;
  return { errorCode: p.errorCode, fieldName: p.fieldName, message: p.message, meta };
}
