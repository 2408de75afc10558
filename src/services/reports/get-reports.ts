import type { GetReports } from '../../model/report-queries.ts';
import type { ReportStatusValue } from '../../shared/report-record.ts';
import { requireCaller, type Handler } from '../context.ts';
import { both, DateFilters, pageRequest, pageResponse, sortKeys } from '../paging.ts';

const statuses: Record<string, readonly ReportStatusValue[] | undefined> = {
  All: undefined, Draft: ['Draft'], New: ['New'], Open: ['Open'], Closed: ['Closed'], NewAndOpen: ['New', 'Open'],
};
const date = (ms: number | null) => (ms === null ? null : new Date(ms));

export const getReports: Handler<typeof GetReports> = async (req, ctx) => {
  const caller = requireCaller(ctx);
  const dates = new DateFilters();
  const raised = dates.day('RaisedDate', req.RaisedDate);
  const submitted = both(dates.day('SubmittedDate', req.SubmittedDate), dates.between('StartDate', req.StartDate, 'EndDate', req.EndDate));
  const closed = dates.day('ClosedDate', req.ClosedDate);
  dates.check();
  const page = pageRequest(req);
  const result = await ctx.store.queryReports({
    orgId: caller.orgId,
    ...page,
    reportId: req.ReportId ?? undefined,
    number: req.Number ?? undefined,
    formId: req.FormId ?? undefined,
    formName: req.FormName ?? undefined,
    summary: req.Summary ?? undefined,
    statuses: statuses[req.ReportStatus ?? 'All'],
    category: req.Category ?? undefined,
    raisedFrom: req.RaisedFrom ?? undefined,
    owner: req.Owner ?? undefined,
    raisedBy: req.RaisedBy ?? undefined,
    closedBy: req.ClosedBy ?? undefined,
    raised,
    submitted,
    closed,
    mandatory: req.IsMandatory === 'True' ? true : req.IsMandatory === 'False' ? false : undefined,
    order: sortKeys(req),
  });
  return {
    ...pageResponse(ctx.op, req, page, result.total, ctx),
    Reports: result.rows.map((r) => ({
      ReportId: r.reportId,
      Number: r.number,
      FormId: r.formId,
      FormName: r.formName,
      Summary: r.summary,
      ReportStatus: r.status,
      Category: r.category,
      RaisedFrom: r.raisedFrom,
      Owner: r.owner,
      RaisedBy: r.raisedBy,
      ClosedBy: r.closedBy,
      RaisedDate: new Date(r.raisedDate),
      SubmittedDate: date(r.submittedDate),
      ClosedDate: date(r.closedDate),
      IsMandatory: r.isMandatory,
      ImportId: r.importId,
    })),
  };
};
