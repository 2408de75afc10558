/** The registry: every operation the API serves. The host, the metadata and the clients walk this list. */
import { Authenticate } from './auth.ts';
import { ImportReports, ImportReportsStatus } from './reports.ts';
import { GetReportFields, GetReports, UpdateAdditionalField } from './report-queries.ts';
import { GetForms } from './forms.ts';

export const operations = [
  ImportReports, ImportReportsStatus, GetReports, GetReportFields, UpdateAdditionalField, GetForms, Authenticate,
] as const;

export type OperationList = typeof operations;
export type OperationName = OperationList[number]['name'];
export type OperationByName<N extends OperationName> = Extract<OperationList[number], { name: N }>;

export * from './dsl.ts';
export * from './common.ts';
export * from './reports.ts';
export * from './auth.ts';
export * from './enums.ts';
export * from './paging.ts';
export * from './report-queries.ts';
export * from './forms.ts';
