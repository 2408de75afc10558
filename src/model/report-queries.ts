import { dto, member, operation, t } from './dsl.ts';
import { RequestBase, ResponseBase } from './common.ts';
import { BooleanFilter, FieldType, ReportFieldOrder, ReportOrder, ReportStatus } from './enums.ts';
import { GetResponseBase, pagingRequestBase } from './paging.ts';

const tag = 'Coruson Reports';
const filterDate = (what: string) =>
  member(t.string, { in: 'query' as const, description: `${what}: yyyy/MM/dd, optionally followed by HH:mm:ss (UTC)` });
const contains = (what: string) => member(t.string, { in: 'query' as const, maxLength: 500, description: `${what} contains this text (case-insensitive)` });

export const Report = dto('Report', {
  members: {
    ReportId: member(t.guid),
    Number: member(t.string, { description: 'The report number, {NumberPrefix}-{sequence}' }),
    FormId: member(t.guid),
    FormName: member(t.string),
    Summary: member(t.string),
    ReportStatus: member(t.enum(ReportStatus)),
    Category: member(t.string),
    RaisedFrom: member(t.string),
    Owner: member(t.string),
    RaisedBy: member(t.string),
    ClosedBy: member(t.string),
    RaisedDate: member(t.dateTime),
    SubmittedDate: member(t.dateTime, { nullable: true }),
    ClosedDate: member(t.dateTime, { nullable: true }),
    IsMandatory: member(t.bool),
    ImportId: member(t.guid, { nullable: true, description: 'The import that created the report' }),
  },
});

export const GetReportsRequest = dto('GetReports', {
  base: pagingRequestBase(ReportOrder),
  members: {
    ReportId: member(t.guid, { in: 'query', nullable: true }),
    Number: member(t.string, { in: 'query', maxLength: 50, description: 'The report number contains this text (case-insensitive), e.g. OCC-0042 or OCC-00' }),
    FormId: member(t.guid, { in: 'query', nullable: true }),
    FormName: contains('The form name'),
    Summary: contains('The summary'),
    ReportStatus: member(t.enum(ReportStatus), { in: 'query', default: 'All', description: 'NewAndOpen: New or Open' }),
    Category: contains('The category'),
    RaisedFrom: contains('RaisedFrom'),
    Owner: contains('The owner'),
    RaisedBy: contains('RaisedBy'),
    ClosedBy: contains('ClosedBy'),
    RaisedDate: filterDate('Raised on this day'),
    SubmittedDate: filterDate('Submitted on this day'),
    StartDate: filterDate('Submitted at or after this time (00:00:00 when no time is given)'),
    EndDate: filterDate('Submitted at or before this time (23:59:59 when no time is given)'),
    ClosedDate: filterDate('Closed on this day'),
    IsMandatory: member(t.enum(BooleanFilter), { in: 'query', default: 'All' }),
  },
});

export const GetReportsResponse = dto('GetReportsResponse', {
  base: GetResponseBase,
  members: {
    Reports: member(t.list(t.ref(Report)), { in: 'form' }),
  },
});

export const GetReports = operation({
  tag,
  summary: 'Get reports',
  notes: 'Find reports by number, form, status, people, text and dates, a page at a time.',
  request: GetReportsRequest,
  response: GetReportsResponse,
  routes: [{ path: '/reports', verbs: ['GET'] }],
  requiresAuth: true,
});

export const ReportField = dto('ReportField', {
  members: {
    FieldId: member(t.guid),
    ReportId: member(t.guid),
    Label: member(t.string),
    FieldType: member(t.enum(FieldType)),
    Value: member(t.string, { description: 'The answer; null for CheckList and SectionRepeater fields' }),
    Values: member(t.list(t.string), { description: 'The options checked, for CheckList fields' }),
    SectionId: member(t.guid, { nullable: true }),
    SectionName: member(t.string),
    FieldBankFieldId: member(t.guid, { description: 'The same for every field of the organisation with this label and type' }),
  },
});

export const GetReportFieldsRequest = dto('GetReportFields', {
  base: pagingRequestBase(ReportFieldOrder),
  members: {
    FieldId: member(t.guid, { in: 'query', nullable: true }),
    ReportId: member(t.guid, { in: 'query', nullable: true }),
    Label: contains('The label'),
    FieldType: member(t.enum(FieldType), { in: 'query', default: 'All' }),
    FieldBankFieldId: member(t.guid, { in: 'query', nullable: true }),
    SectionId: member(t.guid, { in: 'query', nullable: true }),
    SectionName: contains('The section name'),
  },
});

export const GetReportFieldsResponse = dto('GetReportFieldsResponse', {
  base: GetResponseBase,
  members: {
    ReportFields: member(t.list(t.ref(ReportField)), { in: 'form' }),
  },
});

export const GetReportFields = operation({
  tag,
  summary: 'Get the field values of reports',
  request: GetReportFieldsRequest,
  response: GetReportFieldsResponse,
  routes: [{ path: '/reports/fields', verbs: ['GET'] }],
  requiresAuth: true,
});

export const UpdateAdditionalFieldRequest = dto('UpdateAdditionalField', {
  base: RequestBase,
  members: {
    FieldId: member(t.guid, { required: true, in: 'path', description: 'The field to update (ReportField.FieldId)' }),
    Value: member(t.string, {
      in: 'body',
      maxLength: 100_000,
      description: 'The new value, checked against the field type; for CheckList a JSON array of the options checked; empty clears it',
    }),
  },
});

export const UpdateAdditionalFieldResponse = dto('UpdateAdditionalFieldResponse', { base: ResponseBase, members: {} });

export const UpdateAdditionalField = operation({
  tag,
  summary: 'Update additional field value on Report in Coruson',
  notes: 'The change is recorded with who made it, when, and the old and new values.',
  request: UpdateAdditionalFieldRequest,
  response: UpdateAdditionalFieldResponse,
  routes: [{ path: '/reports/additionalFields/{FieldId}', verbs: ['PUT'] }],
  requiresAuth: true,
});
