import { enumeration } from './dsl.ts';

export const ReportStatus = enumeration('ReportStatus', ['All', 'Draft', 'New', 'Open', 'Closed', 'NewAndOpen'] as const);
export const BooleanFilter = enumeration('BooleanFilter', ['All', 'True', 'False'] as const);
export const FieldType = enumeration('FieldType', [
  'All', 'TextBox', 'TextArea', 'Numerical', 'DateTime', 'CheckList', 'SelectList', 'RadioGroup', 'Date', 'Location', 'SectionRepeater',
] as const);
export const ReportOrder = enumeration('ReportOrder', ['Default', 'Number', 'RaisedDate', 'SubmittedDate', 'FormName'] as const);
export const ReportFieldOrder = enumeration('ReportFieldOrder', ['Default', 'Label'] as const);
export const FormOrder = enumeration('FormOrder', ['Default', 'Name', 'Owner', 'Revision'] as const);
export const FormStatus = enumeration('FormStatus', ['All', 'Draft', 'Active', 'Inactive'] as const);
