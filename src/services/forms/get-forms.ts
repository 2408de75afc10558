import type { GetForms } from '../../model/forms.ts';
import type { FormRow } from '../../store/store.ts';
import { requireCaller, type Handler } from '../context.ts';
import { pageRequest, pageResponse, sortKeys } from '../paging.ts';

type Status = FormRow['status'];
const ALL: readonly Status[] = ['Draft', 'Active', 'Inactive'];
/** Reports can be raised on active forms only: those are the distributed ones. */
const distributed: Record<string, readonly Status[]> = { All: ALL, True: ['Active'], False: ['Draft', 'Inactive'] };

export const getForms: Handler<typeof GetForms> = async (req, ctx) => {
  const caller = requireCaller(ctx);
  const page = pageRequest(req);
  const wanted = !req.Status || req.Status === 'All' ? ALL : [req.Status];
  const statuses = wanted.filter((s) => distributed[req.IsDistributed ?? 'All'].includes(s));
  const result = await ctx.store.queryForms({
    orgId: caller.orgId,
    ...page,
    formId: req.FormId ?? undefined,
    formRevisionId: req.FormRevisionId ?? undefined,
    name: req.FormName ?? undefined,
    owner: req.Owner ?? undefined,
    revision: req.Revision ?? undefined,
    statuses: statuses.length === ALL.length ? undefined : statuses,
    order: sortKeys(req),
  });
  return {
    ...pageResponse(ctx.op, req, page, result.total, ctx),
    Forms: result.rows.map((f) => ({
      FormId: f.formId,
      FormRevisionId: f.formRevisionId,
      Name: f.name,
      Owner: f.owner,
      Revision: f.revision,
      Status: f.status,
      NumberPrefix: f.numberPrefix,
    })),
  };
};
