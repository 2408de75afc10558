import type { GetReportFields } from '../../model/report-queries.ts';
import { requireCaller, type Handler } from '../context.ts';
import { pageRequest, pageResponse, sortKeys } from '../paging.ts';

export const getReportFields: Handler<typeof GetReportFields> = async (req, ctx) => {
  const caller = requireCaller(ctx);
  const page = pageRequest(req);
  const result = await ctx.store.queryReportFields({
    orgId: caller.orgId,
    ...page,
    fieldId: req.FieldId ?? undefined,
    reportId: req.ReportId ?? undefined,
    label: req.Label ?? undefined,
    fieldType: req.FieldType && req.FieldType !== 'All' ? req.FieldType : undefined,
    bankFieldId: req.FieldBankFieldId ?? undefined,
    sectionId: req.SectionId ?? undefined,
    sectionName: req.SectionName ?? undefined,
    order: sortKeys(req),
  });
  return {
    ...pageResponse(ctx.op, req, page, result.total, ctx),
    ReportFields: result.rows.map((f) => ({
      FieldId: f.fieldId,
      ReportId: f.reportId,
      Label: f.label,
      FieldType: f.fieldType,
      Value: f.value,
      Values: f.values,
      SectionId: f.sectionId,
      SectionName: f.sectionName,
      FieldBankFieldId: f.bankFieldId,
    })),
  };
};
