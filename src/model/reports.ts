import { dto, member, operation, t } from './dsl.ts';
import { RequestBase, ResponseBase } from './common.ts';

const tag = 'Coruson Reports';

export const ImportReportsRequest = dto('ImportReports', {
  base: RequestBase,
  members: {
    Filename: member(t.string, { required: true, in: 'body', maxLength: 255, description: 'File name of the XML being imported' }),
    FileBytes: member(t.bytes, {
      required: true,
      in: 'body',
      description: 'The XML file (base64 in JSON and XML), in the format of the import schema at /api/reports/import/schema',
    }),
  },
});

export const ImportReportsResponse = dto('ImportReportsResponse', {
  base: ResponseBase,
  members: {
    ImportId: member(t.guid, { in: 'form', description: 'Id of the import job; poll ImportReportsStatus with it' }),
    DuplicateReports: member(t.list(t.guid), {
      in: 'form',
      description: 'Ids of reports that already exist in the organisation or appear earlier in the file; they are not imported again',
    }),
  },
});

export const ImportReports = operation({
  tag,
  summary: 'Import Reports to Coruson',
  notes: 'Provide an XML file that fits the schema to create reports.',
  request: ImportReportsRequest,
  response: ImportReportsResponse,
  routes: [{ path: '/reports/import', verbs: ['POST'] }],
  requiresAuth: true,
});

export const ImportReportsStatusRequest = dto('ImportReportsStatus', {
  base: RequestBase,
  members: {
    ImportId: member(t.guid, {
      required: true,
      in: 'path',
      description: 'The Id of the imported reports job that was included in the response of the import reports request',
    }),
  },
});

export const ImportReportsStatusResponse = dto('ImportReportsStatusResponse', {
  base: ResponseBase,
  members: {
    ImportedReports: member(t.dict(t.guid, t.string), { in: 'form', description: 'Report id → report number assigned' }),
    TotalReportsImported: member(t.int, { in: 'form', description: 'Reports created so far' }),
    TotalReports: member(t.int, { in: 'form', description: 'Reports to import (duplicates excluded)' }),
  },
});

export const ImportReportsStatus = operation({
  tag,
  summary: 'Get the status of imported reports',
  notes: 'Obtain a list of the reports that have been imported and the report number assigned to them.',
  request: ImportReportsStatusRequest,
  response: ImportReportsStatusResponse,
  routes: [{ path: '/reports/import/status/{ImportId}', verbs: ['GET'] }],
  requiresAuth: true,
});
