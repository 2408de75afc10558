import type { Handlers, ServiceParts } from './context.ts';
import { importReports } from './reports/import-reports.ts';
import { importReportsStatus } from './reports/import-reports-status.ts';
import { updateAdditionalField } from './reports/update-additional-field.ts';
import { authenticate } from './auth/authenticate.ts';
import { pagedQueryHandlers } from './queries/paged-query-handler.ts';
import { pagedQueries } from '../store/queries/index.ts';

/** Every operation's handler, each made once from the parts it uses. */
export function createHandlers(parts: ServiceParts): Handlers {
  return {
    ...pagedQueryHandlers(pagedQueries, parts),
    ImportReports: importReports(parts),
    ImportReportsStatus: importReportsStatus(parts),
    UpdateAdditionalField: updateAdditionalField(parts),
    Authenticate: authenticate(parts),
  };
}
