/**
 * The rules applied as elements close: values of Report and Field children, what a Field, Row or
 * Report must contain, the rules across a report's elements, and duplicates. An accepted report is
 * handed on (or serialised) as soon as it closes, so parsed objects never pile up.
 */
import { ImportErrorCode as E } from '../shared/import-error-codes.ts';
import {
  F_LABEL, F_SECTION, F_TYPE, F_VALUE, type Frame, KIND_NAME, R_CATEGORY, R_CLOSED, R_CLOSED_BY, R_FORM, R_ID,
  R_MANDATORY, R_OWNER, R_RAISED, R_RAISED_BY, R_RAISED_FROM, R_STATUS, R_SUBMITTED, R_SUMMARY, reportBit, ROWS,
  V_VALUE, VALUES,
} from './import-state.ts';
import type { FieldRecord, FormRef, ImportLimits, ReportRecord } from '../shared/report-record.ts';
import {
  checkFieldValue, FIELD_TYPES, MAX_CHECKLIST_CHARS, MAX_OPTION, MAX_SHORT_TEXT, MAX_SUMMARY, normaliseGuid, parseBoolean,
  parseDateTime, parseFieldType, parseStatus, REPORT_STATUSES, valueElementFor,
} from './report-rules.ts';
import { type ImportSaxParser, labelText, type ParsedReport, type ReportSink, WalkerBase } from './walker-base.ts';
import { characterCount, longerThan, quote, trimXml } from './xml-text.ts';

export const VALUE_SHAPE_TEXT = {
  Value: 'a single Value element',
  Values: 'a Values element holding one or more Value elements',
  Rows: 'a Rows element holding one or more Row elements',
} as const;

const REQUIRED_IN_REPORT = reportBit(R_ID) | reportBit(R_FORM) | reportBit(R_SUMMARY) | reportBit(R_RAISED_BY) | reportBit(R_RAISED);
const CLOSED_ELEMENTS = reportBit(R_CLOSED) | reportBit(R_CLOSED_BY);

export abstract class ReportChecks extends WalkerBase {
  readonly reports: ParsedReport[] = [];
  readonly duplicatesInFile: string[] = [];

  private readonly seenIds = new Set<string>();
  private readonly duplicateIds = new Set<string>();
  private readonly formCache = new Map<string, FormRef | null>();

  /** `sink`: takes each accepted report instead of `reports` getting its JSON */
  constructor(parser: ImportSaxParser, private readonly forms: (name: string) => FormRef | undefined, limits: ImportLimits,
    private readonly sink?: ReportSink) {
    super(parser, limits);
  }

  protected closeLeaf(kind: number, f: Frame): void {
    const v = trimXml(f.text);
    f.text = '';
    const rs = this.rs;
    switch (kind) {
      case R_ID: {
        if (v === '') { this.fail(f, E.Empty, 'ReportId is empty; it must be the report\'s GUID.'); break; }
        const id = normaliseGuid(v);
        if (id === null) {
          this.fail(f, E.InvalidGuid, `ReportId ${quote(v)} is not a GUID (expected 32 hex digits, with or without ` +
            'dashes, e.g. 5b8f9c1e-1d2a-4c3b-9e7f-0a1b2c3d4e5f).');
        } else rs.id = id;
        break;
      }
      case R_FORM: {
        const name = this.text(v, f, MAX_SHORT_TEXT, true);
        if (name !== undefined) this.lookUpForm(name, f);
        break;
      }
      case R_SUMMARY: rs.summary = this.text(v, f, MAX_SUMMARY, true); break;
      case R_STATUS:
        if (v === '') this.fail(f, E.Empty, `ReportStatus is empty; use one of ${REPORT_STATUSES.join(', ')} or leave it out (New).`);
        else if ((rs.status = parseStatus(v) ?? undefined) === undefined) {
          this.fail(f, E.InvalidEnum, `ReportStatus ${quote(v)} is not one of ${REPORT_STATUSES.join(', ')}.`);
        }
        rs.statusBad = rs.status === undefined;
        break;
      case R_CATEGORY: rs.category = this.text(v, f, MAX_SHORT_TEXT, false); break;
      case R_RAISED_BY: rs.raisedBy = this.text(v, f, MAX_SHORT_TEXT, true); break;
      case R_OWNER: rs.owner = this.text(v, f, MAX_SHORT_TEXT, false); break;
      case R_RAISED_FROM: rs.raisedFrom = this.text(v, f, MAX_SHORT_TEXT, false); break;
      case R_CLOSED_BY: rs.closedBy = this.text(v, f, MAX_SHORT_TEXT, true); break;
      case R_RAISED: rs.raised = this.dateTime(v, f); rs.raisedText = v; break;
      case R_SUBMITTED: rs.submitted = this.dateTime(v, f); rs.submittedText = v; break;
      case R_CLOSED: rs.closed = this.dateTime(v, f); break;
      case R_MANDATORY:
        if ((rs.mandatory = parseBoolean(v) ?? undefined) === undefined) {
          this.fail(f, v === '' ? E.Empty : E.InvalidBoolean, `IsMandatory ${quote(v)} is not one of true, false, 1, 0.`);
        }
        break;
      default: this.closeFieldLeaf(kind, v, f);
    }
  }

  private closeFieldLeaf(kind: number, v: string, f: Frame): void {
    const fs = this.fieldStates[this.fieldLevel - 1];
    switch (kind) {
      case F_LABEL: fs.label = this.text(v, f, MAX_SHORT_TEXT, true); break;
      case F_TYPE:
        if (v === '') this.fail(f, E.Empty, `FieldType is empty; use one of ${FIELD_TYPES.join(', ')}.`);
        else if ((fs.type = parseFieldType(v) ?? undefined) === undefined) {
          this.fail(f, E.InvalidEnum, `FieldType ${quote(v)} is not one of ${FIELD_TYPES.join(', ')}.`);
        }
        break;
      case F_SECTION: fs.section = this.text(v, f, MAX_SHORT_TEXT, false); break;
      case F_VALUE: {
        fs.value = v;
        const failure = fs.type === undefined ? null : checkFieldValue(fs.type, v, fs.label);
        if (failure !== null) this.fail(f, failure.code, failure.message);
        break;
      }
      case V_VALUE: {
        const item = this.text(v, f, MAX_OPTION, true);
        if (item === undefined) break;
        fs.valuesChars += item.length;
        if (fs.valuesChars > MAX_CHECKLIST_CHARS && fs.valuesChars - item.length <= MAX_CHECKLIST_CHARS) {
          this.fail(f, E.LimitExceeded, `The options of a CheckList hold more than ${MAX_CHECKLIST_CHARS.toLocaleString('en-US')} characters together.`);
        }
        fs.values!.push(item);
        break;
      }
      default:
    }
  }

  protected closeField(f: Frame): void {
    const fs = this.fieldStates[this.fieldLevel - 1];
    if ((fs.seen & 1) === 0) this.missing(f, 'Label', 'Field needs a Label (1 to 200 characters).');
    if ((fs.seen & 2) === 0) this.missing(f, 'FieldType', `Field needs a FieldType (one of ${FIELD_TYPES.join(', ')}).`);
    else if (fs.shape === 0 && fs.type !== undefined) {
      const wanted = valueElementFor(fs.type);
      this.missing(f, wanted, `Field${labelText(fs.label)} of type ${fs.type} needs ${VALUE_SHAPE_TEXT[wanted]}.`);
    }
    if (this.problems.length === 0) {
      const record: FieldRecord = {
        label: fs.label!, type: fs.type!, section: fs.section,
        value: fs.shape === F_VALUE ? fs.value : undefined,
        values: fs.shape === VALUES ? fs.values : undefined,
        rows: fs.shape === ROWS ? fs.rows : undefined,
      };
      (this.fieldLevel === 1 ? this.rs.fields : this.fieldStates[this.fieldLevel - 2].curRow!).push(record);
    }
    this.fieldLevel--;
  }

  protected closeReport(f: Frame): void {
    const rs = this.rs;
    if ((rs.seen & REQUIRED_IN_REPORT) !== REQUIRED_IN_REPORT) {
      for (const kind of [R_ID, R_FORM, R_SUMMARY, R_RAISED_BY, R_RAISED]) {
        if ((rs.seen & reportBit(kind)) === 0) this.missing(f, KIND_NAME[kind], `${KIND_NAME[kind]} is required in every Report.`);
      }
    }
    const closedSeen = (rs.seen & CLOSED_ELEMENTS) !== 0;
    if (!rs.statusBad && (closedSeen || rs.status === 'Closed')) this.checkClosed(f, rs.status ?? 'New');
    if (rs.raised !== undefined && rs.submitted !== undefined && rs.submitted < rs.raised) {
      this.problem(E.DateOrder, `SubmittedDate ${quote(rs.submittedText)} is before RaisedDate ${quote(rs.raisedText)}; ` +
        'a report cannot be submitted before it was raised.', `${this.pathTo(this.depth)}/SubmittedDate`,
      rs.line[R_SUBMITTED - R_ID], rs.col[R_SUBMITTED - R_ID]);
    }
    this.backfillReportId();
    this.inReport = false;
    const id = rs.id;
    if (id === undefined) return;
    if (this.seenIds.has(id)) {
      if (!this.duplicateIds.has(id)) {
        this.duplicateIds.add(id);
        this.duplicatesInFile.push(id);
      }
      return;
    }
    this.seenIds.add(id);
    if (this.problems.length > 0) return;
    const record: ReportRecord = {
      id, form: rs.form!, summary: rs.summary!, status: rs.status ?? 'New', category: rs.category,
      raisedBy: rs.raisedBy!, owner: rs.owner, raisedFrom: rs.raisedFrom, raised: rs.raised!,
      submitted: rs.submitted, closed: rs.closed, closedBy: rs.closedBy, mandatory: rs.mandatory ?? false,
      fields: rs.fields,
    };
    if (this.sink) this.sink.add(record);
    else this.reports.push({ id, form: record.form, json: JSON.stringify(record) });
  }

  private checkClosed(f: Frame, status: string): void {
    const rs = this.rs;
    for (const kind of [R_CLOSED, R_CLOSED_BY]) {
      const seen = (rs.seen & reportBit(kind)) !== 0;
      const name = KIND_NAME[kind];
      if (status === 'Closed' && !seen) this.missing(f, name, `${name} is required when ReportStatus is Closed.`);
      else if (status !== 'Closed' && seen) {
        this.problem(E.ClosedOnlyWhenClosed, `${name} is only allowed when ReportStatus is Closed; this report is ${status}.`,
          `${this.pathTo(this.depth)}/${name}`, rs.line[kind - R_ID], rs.col[kind - R_ID]);
      }
    }
  }

  private text(v: string, f: Frame, max: number, required: boolean): string | undefined {
    if (v === '') {
      if (required) this.fail(f, E.Empty, `${f.local} is empty; it needs 1 to ${max} characters.`);
      return undefined;
    }
    if (longerThan(v, max)) {
      this.fail(f, E.TooLong, `${f.local} is longer than ${max} characters (it has ${characterCount(v)}).`);
      return undefined;
    }
    return v;
  }

  private dateTime(v: string, f: Frame): number | undefined {
    const t = v === '' ? null : parseDateTime(v);
    if (t !== null) return t;
    this.fail(f, v === '' ? E.Empty : E.InvalidDate, `${f.local} ${quote(v)} is not an ISO 8601 date-time ` +
      '(expected yyyy-MM-ddTHH:mm:ss with an optional fraction and Z or ±hh:mm, e.g. 2026-03-01T10:15:00Z; ' +
      'without an offset the time is UTC).');
    return undefined;
  }

  private lookUpForm(name: string, f: Frame): void {
    let form = this.formCache.get(name);
    if (form === undefined) {
      form = this.forms(name) ?? null;
      this.formCache.set(name, form);
    }
    if (form === null) {
      this.fail(f, E.UnknownForm, `FormName ${quote(name)} is not a form of this organisation; use the name of one of its active forms.`);
    } else if (!form.active) {
      this.fail(f, E.InactiveForm, `Form ${quote(form.name)} is inactive; reports cannot be imported into it.`);
    } else this.rs.form = form.pk;
  }
}
