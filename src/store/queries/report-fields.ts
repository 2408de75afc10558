/** GetReportFields: the fields of numbered reports of the organisation, in file order. */
import { GetReportFields } from '../../model/report-queries.ts';
import { contains, exact, pagedQuery } from './paged-query.ts';

export const reportFieldsQuery = pagedQuery(GetReportFields, {
  from: { table: 'report_fields', as: 'rf', key: 'id' },
  joins: {
    r: 'JOIN reports r ON r.id = rf.report_pk',
    b: 'LEFT JOIN field_bank b ON b.id = rf.bank_pk',
  },
  visible: ['r.number IS NOT NULL'],
  organisation: 'r.org_id',
  filters: {
    ReportId: exact('r.report_id'),
    FieldId: exact('rf.field_id'),
    Label: contains('rf.label'),
    FieldType: exact('rf.field_type', { any: 'All' }),
    FieldBankFieldId: exact('rf.bank_pk', { through: { table: 'field_bank', key: 'id', id: 'bank_field_id' } }),
    SectionId: exact('rf.section_id'),
    SectionName: contains('rf.section_name'),
  },
  order: { Default: ['rf.id'], Label: ['rf.label'] },
  rows: {
    member: 'ReportFields',
    columns: {
      FieldId: 'rf.field_id', ReportId: 'r.report_id', Label: 'rf.label', FieldType: 'rf.field_type', Value: 'rf.value', Values: 'rf.values_json',
      SectionId: 'rf.section_id', SectionName: 'rf.section_name', FieldBankFieldId: 'b.bank_field_id',
    },
  },
});
