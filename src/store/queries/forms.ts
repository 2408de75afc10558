/** GetForms: the organisation's forms. */
import { GetForms } from '../../model/forms.ts';
import { contains, exact, oneOf, pagedQuery } from './paged-query.ts';

export const formsQuery = pagedQuery(GetForms, {
  from: { table: 'forms', key: 'id' },
  organisation: 'org_id',
  filters: {
    FormId: exact('form_id'),
    FormRevisionId: exact('form_revision_id'),
    FormName: contains('name'),
    Owner: contains('owner'),
    Revision: exact('revision'),
    Status: oneOf('status', { All: null, Draft: ['Draft'], Active: ['Active'], Inactive: ['Inactive'] }),
    // reports can be raised on active forms only: those are the distributed ones
    IsDistributed: oneOf('status', { All: null, True: ['Active'], False: ['Draft', 'Inactive'] }),
  },
  order: { Default: ['id'], Name: ['name'], Owner: ['owner'], Revision: ['revision'] },
  rows: {
    member: 'Forms',
    columns: {
      FormId: 'form_id', FormRevisionId: 'form_revision_id', Name: 'name', Owner: 'owner', Revision: 'revision', Status: 'status',
      NumberPrefix: 'number_prefix',
    },
  },
});
