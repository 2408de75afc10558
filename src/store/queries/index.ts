/** Every paged query operation: each is served by the one generic handler from its description. */
import { formsQuery } from './forms.ts';
import { reportFieldsQuery } from './report-fields.ts';
import { reportsQuery } from './reports.ts';

export const pagedQueries = [reportsQuery, reportFieldsQuery, formsQuery] as const;
