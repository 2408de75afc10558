/** The registry: every operation the API serves. The host, the metadata and the clients walk this list. */
import { Authenticate } from './auth.ts';
import { ImportReports, ImportReportsStatus } from './reports.ts';

export const operations = [ImportReports, ImportReportsStatus, Authenticate] as const;

export type OperationList = typeof operations;
export type OperationName = OperationList[number]['name'];
export type OperationByName<N extends OperationName> = Extract<OperationList[number], { name: N }>;

export * from './dsl.ts';
export * from './common.ts';
export * from './reports.ts';
export * from './auth.ts';
