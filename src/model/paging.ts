import { dto, member, t, type EnumDecl } from './dsl.ts';
import { RequestBase, ResponseBase } from './common.ts';

export const Link = dto('Link', {
  members: {
    Name: member(t.string, { description: 'What the link leads to: `next` or `previous`' }),
    RequestUrl: member(t.string, { description: 'The URL of that page, with the same filters' }),
    Method: member(t.string, { description: 'The HTTP verb to call it with' }),
  },
});

/** The pages a list response comes in; the order members take the operation's own ordering enum. */
export function pagingRequestBase<O extends string>(order: EnumDecl<O>) {
  const orderMember = (description: string) => member(t.enum(order), { in: 'query' as const, description });
  return dto('PagingRequestBase', {
    base: RequestBase,
    genericArgs: [t.enum(order)],
    members: {
      Skip: member(t.int, { in: 'query', min: 0, default: 0, description: 'Results to skip before the first one returned' }),
      Take: member(t.int, { in: 'query', min: 1, max: 100, default: 100, description: 'Results to return: 1 to 100' }),
      OrderBy: orderMember('Sort by this, ascending'),
      OrderByDesc: orderMember('Sort by this, descending (used when OrderBy is not given)'),
      ThenBy: orderMember('Then by this, ascending; ignored when equal to OrderBy or OrderByDesc'),
      ThenByDesc: orderMember('Then by this, descending; ignored when equal to OrderBy or OrderByDesc'),
    },
  });
}

export const GetResponseBase = dto('GetResponseBase', {
  base: ResponseBase,
  members: {
    TotalResults: member(t.int, { in: 'form', description: 'Results matching the filters, on every page' }),
    Skip: member(t.int, { in: 'form', description: 'Results skipped before this page' }),
    Take: member(t.int, { in: 'form', description: 'The page size asked for' }),
    Links: member(t.list(t.ref(Link)), { in: 'form', description: 'The next and previous pages, where there are any' }),
  },
});
