/**
 * A number is `{prefix}-{digits}` and a prefix has no dash, so a text with a dash matches the
 * numbers of the forms whose prefix ends with the part before it, starting with the digits after
 * it: one index range per form. Only digits without a dash need a scan.
 */
import type { CustomFilter, LookupRow } from './paged-query.ts';

interface FormKey { pk: number; numberPrefix: string }

function predicate(text: string, rows: readonly LookupRow[]): ((param: (value: unknown) => string) => string) | undefined {
  const t = text.trim().toUpperCase();
  return t === '' ? undefined : (param) => numberPredicate(t, rows as unknown as readonly FormKey[], param);
}

function numberPredicate(t: string, forms: readonly FormKey[], param: (value: unknown) => string): string {
  const dash = t.indexOf('-');
  if (dash >= 0) {
    const head = t.slice(0, dash);
    const digits = t.slice(dash + 1);
    const ranges = /^\d*$/.test(digits)
      ? forms.filter((f) => f.numberPrefix.toUpperCase().endsWith(head)).map((f) => {
        if (digits === '') return `r.form_pk = ${param(f.pk)}`;
        const low = `${f.numberPrefix}-${digits}`;
        // ':' follows '9': every number that starts with `low` sorts below `low:`
        return `(r.form_pk = ${param(f.pk)} AND r.number >= ${param(low)} AND r.number < ${param(low + ':')})`;
      })
      : [];
    return ranges.length ? `(${ranges.join(' OR ')})` : '1 = 0';
  }
  const alternatives = forms.filter((f) => f.numberPrefix.toUpperCase().includes(t)).map((f) => `r.form_pk = ${param(f.pk)}`);
  if (/^\d+$/.test(t)) alternatives.push(`r.number LIKE ${param(`%${t}%`)}`);
  return alternatives.length ? `(${alternatives.join(' OR ')})` : '1 = 0';
}

/** The Number filter of reports, over the organisation's forms (a lookup with `pk` and `numberPrefix`). */
export const reportNumber = (forms: string): CustomFilter => ({ kind: 'custom', uses: forms, predicate });
