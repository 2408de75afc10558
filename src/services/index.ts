import type { Handlers } from './context.ts';
import { importReports } from './reports/import-reports.ts';
import { importReportsStatus } from './reports/import-reports-status.ts';
import { authenticate } from './auth/authenticate.ts';

export const handlers: Handlers = {
  ImportReports: importReports,
  ImportReportsStatus: importReportsStatus,
  Authenticate: authenticate,
};
