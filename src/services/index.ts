import type { Handlers } from './context.ts';
import { importReports } from './reports/import-reports.ts';
import { importReportsStatus } from './reports/import-reports-status.ts';
import { getReports } from './reports/get-reports.ts';
import { getReportFields } from './reports/get-report-fields.ts';
import { updateAdditionalField } from './reports/update-additional-field.ts';
import { getForms } from './forms/get-forms.ts';
import { authenticate } from './auth/authenticate.ts';

export const handlers: Handlers = {
  ImportReports: importReports,
  ImportReportsStatus: importReportsStatus,
  GetReports: getReports,
  GetReportFields: getReportFields,
  UpdateAdditionalField: updateAdditionalField,
  GetForms: getForms,
  Authenticate: authenticate,
};
