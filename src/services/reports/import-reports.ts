import { randomUUID } from 'node:crypto';
import type { ImportReports } from '../../model/reports.ts';
import { Errors, type FieldError } from '../../shared/errors.ts';
import type { FormRef, ImportProblem } from '../../shared/report-record.ts';
import type { StagedRows } from '../../store/staged-rows.ts';
import { requireCaller, type Handler, type ServiceParts } from '../context.ts';

export const importReports = ({ store, worker, parsers, limits, onParsed }: Pick<ServiceParts, 'store' | 'worker' | 'parsers' | 'limits' | 'onParsed'>): Handler<typeof ImportReports> => async (req, ctx) => {
  const caller = requireCaller(ctx);
  const file = req.FileBytes;
  const bytes = file.length;
  if (bytes > limits.maxFileBytes) throw Errors.importFileTooLarge(bytes, limits.maxFileBytes);
  const forms: FormRef[] = (await store.listForms(caller.orgId)).map((f) => ({ pk: f.pk, name: f.name, active: f.status === 'Active' }));

  // reports are staged while the parser thread reads on; the import stays invisible
  // (Receiving) until the whole file has passed, and is removed if it does not
  const importId = randomUUID();
  worker.announce({ importId, requestId: ctx.requestId });
  const importPk = await store.beginImport({ orgId: caller.orgId, userId: caller.userId, importId, filename: req.Filename, now: Date.now() });
  const ids: string[] = [];
  const staging: Array<Promise<void>> = [];
  // once a batch has failed the file cannot be accepted: the parser reads on, nothing more is written
  let stagingFailed = false;
  // the parser thread sends the reports as the store's own rows: they are written as they come
  const onRows = (rows: StagedRows) => {
    if (rows.reportIds.length === 0 || stagingFailed) return;
    for (const id of rows.reportIds) ids.push(id);
    // the store may write batches side by side; a failure is seen where they are awaited
    const batch = store.stageRows(importPk, caller.orgId, rows);
    batch.catch(() => (stagingFailed = true));
    staging.push(batch);
  };

  let accepted;
  let duplicatesInFile: string[];
  const started = performance.now();
  let checkMs = 0;
  try {
    const outcome = await parsers.parse(file, forms, limits, store.stagedRows, onRows);
    checkMs = performance.now() - started;
    onParsed?.(checkMs / 1000);
    if (!outcome.ok) throw Errors.invalidImportFile(outcome.problems.map(toFieldError), outcome.truncated);
    await Promise.all(staging);
    // a client that left would never learn the ImportId, and its retry would find only duplicates
    if (ctx.http.clientGone()) throw Errors.clientGone();
    duplicatesInFile = outcome.duplicatesInFile;
    accepted = await store.acceptImport({ importPk, orgId: caller.orgId, reportIds: ids, now: Date.now() });
  } catch (err) {
    await Promise.allSettled(staging);
    try {
      await store.discardImport(importPk);
    } catch (discardErr) {
      // the database is away: the store's sweep removes the import once it can
      ctx.log.warn({ err: discardErr, importId }, 'could not remove a refused import; the sweep will');
    }
    throw err;
  }
  worker.wake();
  ctx.log.info({
    importId, org: caller.orgName, total: accepted.total, duplicates: accepted.duplicates.length + duplicatesInFile.length,
    bytes, checkMs: Math.round(checkMs), acceptMs: Math.round(performance.now() - started - checkMs),
  }, 'import accepted');
  return {
    ImportId: importId,
    DuplicateReports: [...new Set([...accepted.duplicates, ...duplicatesInFile])],
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
