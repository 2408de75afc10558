/**
 * The SQL of the read operations, built per request from the filters given and shared by the
 * dialects. Each filter becomes a predicate an index can serve; the statements differ only in
 * which filters are present, so a dialect can cache them by their text.
 */
import type { FormQuery, ReportFieldQuery, ReportQuery, SortKey, TimeRange } from './store.ts';

export type Dialect = 'sqlite' | 'postgres';

/** Whole statements: the count of every match, and one page of them. */
export interface BuiltQuery {
  count: string;
  countParams: unknown[];
  page: string;
  pageParams: unknown[];
}

/** Collects parameters and writes their placeholders in the dialect's style. */
class Predicates {
  readonly params: unknown[] = [];
  readonly where: string[] = [];
  constructor(private readonly dialect: Dialect) {}

  param(value: unknown): string {
    this.params.push(value);
    return this.dialect === 'sqlite' ? '?' : `$${this.params.length}`;
  }
  add(sql: string): void {
    this.where.push(sql);
  }
  equals(column: string, value: unknown): void {
    if (value !== undefined) this.add(`${column} = ${this.param(value)}`);
  }
  /** Case-insensitive substring match. */
  contains(column: string, text: string | undefined): void {
    if (text === undefined || text === '') return;
    const pattern = `%${text.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
    if (this.dialect === 'postgres') this.add(`${column} ILIKE ${this.param(pattern)} ESCAPE '\\'`);
    // SQLite's LIKE folds ASCII letters only; other text is compared through the Unicode lower-casing
    // the store registers as ulower()
    else if (/^[\x00-\x7f]*$/.test(text)) this.add(`${column} LIKE ${this.param(pattern)} ESCAPE '\\'`);
    else this.add(`instr(ulower(${column}), ${this.param(text.toLowerCase())}) > 0`);
  }
  inRange(column: string, range: TimeRange | undefined): void {
    if (range?.from !== undefined) this.add(`${column} >= ${this.param(range.from)}`);
    if (range?.to !== undefined) this.add(`${column} <= ${this.param(range.to)}`);
  }
  oneOf(column: string, values: readonly unknown[] | undefined): void {
    if (!values) return;
    if (values.length === 0) this.add('1 = 0');
    else if (values.length === 1) this.equals(column, values[0]);
    else this.add(`${column} IN (${values.map((v) => this.param(v)).join(', ')})`);
  }
  sql(): string {
    return this.where.length ? ` WHERE ${this.where.join(' AND ')}` : '';
  }
}

function orderBy<K extends string>(keys: ReadonlyArray<SortKey<K>>, columns: Record<K, string[]>, tieBreak: string): string {
  const parts = keys.flatMap((k) => columns[k.key].map((c) => `${c}${k.desc ? ' DESC' : ''}`));
  // rows equal on every key would come back in any order, and pages would overlap
  if (!keys.some((k) => columns[k.key].includes(tieBreak))) parts.push(`${tieBreak}${keys[0]?.desc ? ' DESC' : ''}`);
  return ` ORDER BY ${parts.join(', ')}`;
}

function pageOf(p: Predicates, sql: string, q: { skip: number; take: number }): string {
  return `${sql} LIMIT ${p.param(q.take)} OFFSET ${p.param(q.skip)}`;
}

const given = (text: string | undefined): text is string => text !== undefined && text !== '';

export interface FormInfo { pk: number; formId: string; name: string; numberPrefix: string }

/**
 * A number is `{prefix}-{digits}` and a prefix has no dash, so a text with a dash matches the
 * numbers of the forms whose prefix ends with the part before it, starting with the digits after
 * it: one index range per form. Only digits without a dash need a scan.
 */
function numberPredicate(p: Predicates, text: string, forms: readonly FormInfo[]): void {
  const t = text.trim().toUpperCase();
  const dash = t.indexOf('-');
  if (dash >= 0) {
    const head = t.slice(0, dash);
    const digits = t.slice(dash + 1);
    const ranges = /^\d*$/.test(digits)
      ? forms.filter((f) => f.numberPrefix.toUpperCase().endsWith(head)).map((f) => {
        if (digits === '') return `r.form_pk = ${p.param(f.pk)}`;
        const low = `${f.numberPrefix}-${digits}`;
        // ':' follows '9': every number that starts with `low` sorts below `low:`
        return `(r.form_pk = ${p.param(f.pk)} AND r.number >= ${p.param(low)} AND r.number < ${p.param(low + ':')})`;
      })
      : [];
    p.add(ranges.length ? `(${ranges.join(' OR ')})` : '1 = 0');
    return;
  }
  const alternatives = forms.filter((f) => f.numberPrefix.toUpperCase().includes(t)).map((f) => `r.form_pk = ${p.param(f.pk)}`);
  if (/^\d+$/.test(t)) alternatives.push(`r.number LIKE ${p.param(`%${t}%`)}`);
  p.add(alternatives.length ? `(${alternatives.join(' OR ')})` : '1 = 0');
}

const reportColumns = `r.report_id AS "reportId", r.number, f.form_id AS "formId", f.name AS "formName", r.summary,
  r.status, r.category, r.raised_from AS "raisedFrom", r.owner, r.raised_by AS "raisedBy", r.closed_by AS "closedBy",
  r.raised_date AS "raisedDate", r.submitted_date AS "submittedDate", r.closed_date AS "closedDate",
  r.is_mandatory AS "isMandatory", i.import_id AS "importId"`;

const reportOrder = {
  Default: ['r.id'],
  Number: ['f.number_prefix', 'r.seq'],
  RaisedDate: ['r.raised_date'],
  SubmittedDate: ['r.submitted_date'],
  FormName: ['f.name'],
};

/**
 * Form filters are resolved against the organisation's few forms here, so every predicate is on
 * `reports` alone and its indexes (form_pk first) serve it; the form's organisation stands for the
 * report's. Counts by organisation, form and status come from report_counts; the page is found on
 * the indexes first and only its rows are read whole.
 */
export function reportQuery(q: ReportQuery, forms: readonly FormInfo[], dialect: Dialect, hints: { walkInOrder?: string } = {}): BuiltQuery {
  let formPks: number[] | undefined;
  if (q.formId !== undefined || given(q.formName)) {
    const needle = q.formName?.toLowerCase();
    formPks = forms.filter((f) => (q.formId === undefined || f.formId === q.formId) && (!needle || f.name.toLowerCase().includes(needle))).map((f) => f.pk);
  }
  const filter = (p: Predicates, table: 'r' | 'c') => {
    if (formPks) p.oneOf(`${table}.form_pk`, formPks);
    else p.equals(`${table}.org_id`, q.orgId);
    p.oneOf(`${table}.status`, q.statuses);
  };
  const p = new Predicates(dialect);
  p.add('r.number IS NOT NULL');
  filter(p, 'r');
  const countable = p.where.length;
  p.equals('r.report_id', q.reportId);
  if (given(q.number?.trim())) numberPredicate(p, q.number!, forms);
  p.contains('r.summary', q.summary);
  p.contains('r.category', q.category);
  p.contains('r.raised_from', q.raisedFrom);
  p.contains('r.owner', q.owner);
  p.contains('r.raised_by', q.raisedBy);
  p.contains('r.closed_by', q.closedBy);
  p.inRange('r.raised_date', q.raised);
  p.inRange('r.submitted_date', q.submitted);
  p.inRange('r.closed_date', q.closed);
  if (q.mandatory !== undefined) p.equals('r.is_mandatory', dialect === 'sqlite' ? Number(q.mandatory) : q.mandatory);
  const countedOnly = p.where.length === countable;

  const order = orderBy(q.order, reportOrder, 'r.id');
  const joinForms = q.order.some((k) => k.key === 'Number' || k.key === 'FormName') ? ' JOIN forms f ON f.id = r.form_pk' : '';
  const where = p.sql();
  const countSql = `SELECT count(*) FROM reports r${where}`;
  const countParams = [...p.params];
  // an organisation's reports in import order, with their status: walked in order, a common status
  // reaches a deep page sooner than all its rows can be sorted
  const walk = hints.walkInOrder && countedOnly && !formPks && q.order.every((k) => k.key === 'Default') ? ` INDEXED BY ${hints.walkInOrder}` : '';
  const page = `SELECT ${reportColumns} FROM (${pageOf(p, `SELECT r.id FROM reports r${walk}${joinForms}${where}${order}`, q)}) x
    JOIN reports r ON r.id = x.id JOIN forms f ON f.id = r.form_pk LEFT JOIN imports i ON i.id = r.import_pk${order}`;
  if (!countedOnly) return { count: countSql, countParams, page, pageParams: p.params };

  const c = new Predicates(dialect);
  filter(c, 'c');
  return { count: `SELECT coalesce(sum(c.n), 0) FROM report_counts c${c.sql()}`, countParams: c.params, page, pageParams: p.params };
}

const reportFieldColumns = `rf.field_id AS "fieldId", r.report_id AS "reportId", rf.label, rf.field_type AS "fieldType",
  rf.value, rf.values_json AS "valuesJson", rf.section_id AS "sectionId", rf.section_name AS "sectionName",
  b.bank_field_id AS "bankFieldId"`;

export function reportFieldQuery(q: ReportFieldQuery, dialect: Dialect): BuiltQuery {
  const p = new Predicates(dialect);
  p.add('r.number IS NOT NULL');
  p.equals('r.org_id', q.orgId);
  p.equals('r.report_id', q.reportId);
  p.equals('rf.field_id', q.fieldId);
  p.contains('rf.label', q.label);
  p.equals('rf.field_type', q.fieldType);
  if (q.bankFieldId !== undefined) p.add(`rf.bank_pk = (SELECT id FROM field_bank WHERE bank_field_id = ${p.param(q.bankFieldId)})`);
  p.equals('rf.section_id', q.sectionId);
  p.contains('rf.section_name', q.sectionName);
  const from = 'FROM report_fields rf JOIN reports r ON r.id = rf.report_pk';
  const where = p.sql();
  const countParams = [...p.params];
  const order = orderBy(q.order, { Default: ['rf.id'], Label: ['rf.label'] }, 'rf.id');
  return {
    count: `SELECT count(*) ${from}${where}`,
    countParams,
    page: pageOf(p, `SELECT ${reportFieldColumns} ${from} LEFT JOIN field_bank b ON b.id = rf.bank_pk${where}${order}`, q),
    pageParams: p.params,
  };
}

const formColumns = `id AS pk, form_id AS "formId", form_revision_id AS "formRevisionId", org_id AS "orgId", name,
  number_prefix AS "numberPrefix", owner, revision, status`;

export function formQuery(q: FormQuery, dialect: Dialect): BuiltQuery {
  const p = new Predicates(dialect);
  p.equals('org_id', q.orgId);
  p.equals('form_id', q.formId);
  p.equals('form_revision_id', q.formRevisionId);
  p.contains('name', q.name);
  p.contains('owner', q.owner);
  p.equals('revision', q.revision);
  p.oneOf('status', q.statuses);
  const from = `FROM forms${p.sql()}`;
  const countParams = [...p.params];
  const order = orderBy(q.order, { Default: ['id'], Name: ['name'], Owner: ['owner'], Revision: ['revision'] }, 'id');
  return { count: `SELECT count(*) ${from}`, countParams, page: pageOf(p, `SELECT ${formColumns} ${from}${order}`, q), pageParams: p.params };
}
