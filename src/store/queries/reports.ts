/** GetReports: numbered reports of the organisation. */
import { GetReports } from '../../model/report-queries.ts';
import { booleanMatch, contains, day, exact, oneOf, pagedQuery, related, since, until } from './paged-query.ts';
import { reportNumber } from './report-number.ts';

export const reportsQuery = pagedQuery(GetReports, {
  from: { table: 'reports', as: 'r', key: 'id' },
  joins: {
    f: 'JOIN forms f ON f.id = r.form_pk',
    i: 'LEFT JOIN imports i ON i.id = r.import_pk',
  },
  // a report still waiting in an import does not exist yet
  visible: ['r.number IS NOT NULL'],
  organisation: 'r.org_id',
  lookups: {
    // resolved against the organisation's few forms, every predicate is on `reports` alone and its
    // indexes (form_pk first) serve it; the form's organisation stands for the report's
    forms: {
      table: 'forms', organisation: 'org_id', fields: { pk: 'id', formId: 'form_id', name: 'name', numberPrefix: 'number_prefix' },
      key: 'pk', narrows: 'r.form_pk',
    },
  },
  filters: {
    ReportStatus: oneOf('r.status', { All: null, Draft: ['Draft'], New: ['New'], Open: ['Open'], Closed: ['Closed'], NewAndOpen: ['New', 'Open'] }),
    ReportId: exact('r.report_id'),
    Number: reportNumber('forms'),
    FormId: related('forms', 'formId', 'exact'),
    FormName: related('forms', 'name', 'contains'),
    Summary: contains('r.summary'),
    Category: contains('r.category'),
    RaisedFrom: contains('r.raised_from'),
    Owner: contains('r.owner'),
    RaisedBy: contains('r.raised_by'),
    ClosedBy: contains('r.closed_by'),
    RaisedDate: day('r.raised_date'),
    SubmittedDate: day('r.submitted_date'),
    StartDate: since('r.submitted_date'),
    EndDate: until('r.submitted_date'),
    ClosedDate: day('r.closed_date'),
    IsMandatory: booleanMatch('r.is_mandatory'),
  },
  order: {
    // import order
    Default: ['r.id'],
    // prefix, then sequence: OCC-9999 before OCC-10000
    Number: ['f.number_prefix', 'r.seq'],
    RaisedDate: ['r.raised_date'],
    SubmittedDate: ['r.submitted_date'],
    FormName: ['f.name'],
  },
  rows: {
    member: 'Reports',
    columns: {
      ReportId: 'r.report_id', Number: 'r.number', FormId: 'f.form_id', FormName: 'f.name', Summary: 'r.summary', ReportStatus: 'r.status',
      Category: 'r.category', RaisedFrom: 'r.raised_from', Owner: 'r.owner', RaisedBy: 'r.raised_by', ClosedBy: 'r.closed_by',
      RaisedDate: 'r.raised_date', SubmittedDate: 'r.submitted_date', ClosedDate: 'r.closed_date', IsMandatory: 'r.is_mandatory',
      ImportId: 'i.import_id',
    },
  },
  // rows are wide: the page is found on the indexes, and only its rows are read whole
  keysFirst: true,
  // kept with the numbering, so deep pages of a large organisation count fast
  counts: { table: 'report_counts', as: 'c', sum: 'n', by: ['org_id', 'form_pk', 'status'] },
  // an organisation's reports in import order, with their status: walked in order, a common status
  // reaches a deep page sooner than all its rows can be sorted
  walkInOrder: { index: 'reports_org_order', share: 'r.status', atLeast: 1 / 4 },
});
