import type { Handlers } from './context.ts';
import { importReports } from './reports/import-reports.ts';
import { importReportsStatus } from './reports/import-reports-status.ts';
import { updateAdditionalField } from './reports/update-additional-field.ts';
import { authenticate } from './auth/authenticate.ts';
import { pagedQueryHandlers } from './queries/paged-query-handler.ts';
import { pagedQueries } from '../store/queries/index.ts';

export const handlers: Handlers = {
  ...pagedQueryHandlers(pagedQueries),
  ImportReports: importReports,
  ImportReportsStatus: importReportsStatus,
  UpdateAdditionalField: updateAdditionalField,
  Authenticate: authenticate,
};
