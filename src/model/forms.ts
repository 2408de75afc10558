import { dto, member, operation, t } from './dsl.ts';
import { BooleanFilter, FormOrder, FormStatus } from './enums.ts';
import { GetResponseBase, pagingRequestBase } from './paging.ts';

export const Form = dto('Form', {
  members: {
    FormId: member(t.guid),
    FormRevisionId: member(t.guid),
    Name: member(t.string),
    Owner: member(t.string),
    Revision: member(t.int),
    Status: member(t.enum(FormStatus)),
    NumberPrefix: member(t.string, { description: 'Report numbers of the form begin with it: OCC-0042' }),
  },
});

export const GetFormsRequest = dto('GetForms', {
  base: pagingRequestBase(FormOrder),
  members: {
    FormRevisionId: member(t.guid, { in: 'query', nullable: true }),
    FormId: member(t.guid, { in: 'query', nullable: true }),
    FormName: member(t.string, { in: 'query', maxLength: 500, description: 'The name contains this text (case-insensitive)' }),
    Owner: member(t.string, { in: 'query', maxLength: 500, description: 'The owner contains this text (case-insensitive)' }),
    Revision: member(t.int, { in: 'query', nullable: true, min: 1 }),
    Status: member(t.enum(FormStatus), { in: 'query', default: 'All' }),
    IsDistributed: member(t.enum(BooleanFilter), { in: 'query', default: 'All', description: 'True: forms reports can be raised on (Active)' }),
  },
});

export const GetFormsResponse = dto('GetFormsResponse', {
  base: GetResponseBase,
  members: {
    Forms: member(t.list(t.ref(Form)), { in: 'form' }),
  },
});

export const GetForms = operation({
  tag: 'Coruson Forms',
  summary: 'Get forms',
  notes: 'The forms of the organisation, whose names import files use.',
  request: GetFormsRequest,
  response: GetFormsResponse,
  routes: [{ path: '/forms', verbs: ['GET'] }],
  requiresAuth: true,
});
