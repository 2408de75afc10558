/**
 * The state machine behind parseImportFile: it consumes saxes events for one import file, decides
 * what each element is, and hands closing elements to the rules of report-checks.ts.
 *
 * Namespaces are resolved here rather than by saxes (`xmlns: true` costs about a third of the
 * parse speed): default and prefixed declarations are honoured, every element must be in the
 * root's namespace. Attributes carry nothing in this format; any attribute other than a namespace
 * declaration or xsi:schemaLocation / xsi:noNamespaceSchemaLocation is an UnknownAttribute
 * problem, as it is for the XSD.
 */
import type { SaxesTagPlain } from 'saxes';
import { FILE_FIELD, ImportErrorCode as E, type ImportErrorCode } from '../shared/import-error-codes.ts';
import {
  DOC, FIELD, FIELD_CHILD_LIST, fieldChildKind, FIELDS, fieldRank, FieldState, Frame, KIND_NAME, LEAF, NS_SCOPE,
  R_ID, REPORT, REPORT_CHILD_LIST, reportBit, reportChildKind, REPORTS, ROW, ROWS, SKIP, TEXT_REPORTED, V_VALUE, VALUES,
} from './import-state.ts';
import type { FormRef, ImportLimits } from '../shared/report-record.ts';
import { MAX_CHECKLIST_OPTIONS, MAX_REPORT_FIELDS, valueElementFor } from './report-rules.ts';
import { ReportChecks, VALUE_SHAPE_TEXT } from './report-checks.ts';
import { IMPORT_NAMESPACE, type ImportSaxParser, labelText, type ReportSink } from './walker-base.ts';
import { DOCTYPE_MESSAGE, isXmlWhitespace, quote, trimXml } from './xml-text.ts';

export { type ImportSaxParser, type ParsedReport, type ReportSink, STOP } from './walker-base.ts';

const XML_NAMESPACE = 'http://www.w3.org/XML/1998/namespace';
const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';

export class ImportWalker extends ReportChecks {
  private elements = 0;
  private reportCount = 0;
  private reportFields = 0;
  /** start-tag position of the element being opened */
  private tagLine = 0;
  private tagCol = 0;
  /** whether the tag being opened has attributes: they are rare, and looking costs time per element */
  private sawAttribute = false;
  private defaultNs = '';
  private prefixes = new Map<string, string>();
  private readonly nsScopes: { defaultNs: string; prefixes: Map<string, string> }[] = [];
  private rootNs = '';

  constructor(parser: ImportSaxParser, forms: (name: string) => FormRef | undefined, limits: ImportLimits, sink?: ReportSink) {
    super(parser, forms, limits, sink);
    // Six handlers and no more: saxes stores each on the parser with a keyed store, and from the
    // eighth on V8 turns the parser into a dictionary-mode object, which made every parser field
    // access (and so the whole parse) about four times slower, in every parser of the process
    // (test/import-parser.test.ts checks this). So the XML declaration and DOCTYPE are checked
    // before parsing (xml-text.ts), and with no error handler saxes throws its well-formedness
    // errors, which parseImportFile hands to syntaxError().
    parser.on('opentagstart', this.onOpenTagStart);
    parser.on('attribute', this.onAttribute);
    parser.on('opentag', this.onOpenTag);
    parser.on('text', this.onText);
    parser.on('cdata', this.onText);
    parser.on('closetag', this.onCloseTag);
  }

  /** Call once parsing has ended, normally or by STOP. */
  finish(): void {
    if (this.inReport) this.backfillReportId();
    if (this.problems.length > 0) this.reports.length = 0;
  }

  // ---------------------------------------------------------------- saxes events

  private readonly onOpenTagStart = (tag: { name: string }): void => {
    // The parser has just read the name and the character after it; the '<' is before both.
    const col = this.parser.column - tag.name.length - 1;
    if (col >= 1) {
      this.tagLine = this.parser.line;
      this.tagCol = col;
    } else {
      this.tagLine = this.parser.line - 1;
      this.tagCol = 0;
    }
  };

  private readonly onAttribute = (): void => {
    this.sawAttribute = true;
  };

  private readonly onOpenTag = (tag: SaxesTagPlain): void => {
    const limits = this.limits;
    const depth = this.depth + 1;
    if (++this.elements > limits.maxElements) {
      this.stop(E.LimitExceeded, `The file has more than ${limits.maxElements} elements, the most accepted.`,
        FILE_FIELD, this.tagLine, this.tagCol, false);
    }
    if (depth > limits.maxDepth) {
      this.stop(E.LimitExceeded, `Elements are nested more than ${limits.maxDepth} deep, the most accepted; ` +
        'the file is not checked further.', this.pathTo(depth - 1), this.tagLine, this.tagCol, false);
    }
    const parent = this.frames[depth - 1];
    const f = this.frames[depth] ?? (this.frames[depth] = new Frame());
    f.line = this.tagLine;
    f.col = this.tagCol;
    f.index = 0;
    f.count = 0;
    f.text = '';
    f.flags = 0;
    let unknownAttributes: string[] | null = null;
    if (this.sawAttribute) {
      this.sawAttribute = false;
      unknownAttributes = this.readAttributes(tag.attributes, f);
    }
    const name = tag.name;
    let ns = this.defaultNs;
    f.local = name;
    // Without a prefix declaration in scope a colon can only be an undeclared prefix, and such a
    // name matches no element of the format, so it is reported as unknown without a lookup here.
    if (this.prefixes.size !== 0) {
      const colon = name.indexOf(':');
      if (colon >= 0) {
        ns = this.resolvePrefix(name.slice(0, colon), name);
        f.local = name.slice(colon + 1);
      }
    }
    this.depth = depth;
    const pk = parent.kind;
    if (pk === SKIP) {
      f.kind = SKIP;
      return;
    }
    if (pk === DOC) f.kind = this.openRoot(f.local, ns);
    else if (ns !== this.rootNs) {
      f.kind = this.fail(f, E.InvalidNamespace, `Element '${f.local}' is in namespace ${describeNs(ns)}; every ` +
        `element inside Reports must be in the same namespace as Reports (${describeNs(this.rootNs)}).`);
    } else f.kind = this.openChild(pk, parent, f);
    if (unknownAttributes !== null && f.kind !== SKIP) {
      for (const a of unknownAttributes) {
        this.problem(E.UnknownAttribute, `Attribute '${a}' is not allowed on ${f.local}: the format carries all ` +
          'data in elements (only namespace declarations and xsi:schemaLocation are accepted).',
        `${this.pathTo(depth)}/@${a}`, f.line, f.col);
      }
    }
  };

  private readonly onText = (t: string): void => {
    const f = this.frames[this.depth];
    if (f.kind >= LEAF) f.text += t;
    else if (f.kind !== SKIP && f.kind !== DOC && (f.flags & TEXT_REPORTED) === 0 && !isXmlWhitespace(t)) {
      f.flags |= TEXT_REPORTED;
      this.fail(f, E.UnexpectedText, `Text ${quote(trimXml(t))} is not allowed directly inside ${f.local}; ` +
        'it may hold only child elements.');
    }
  };

  private readonly onCloseTag = (): void => {
    const depth = this.depth;
    const f = this.frames[depth];
    const kind = f.kind;
    if (kind >= LEAF) this.closeLeaf(kind, f);
    else {
      switch (kind) {
        case REPORT: this.closeReport(f); break;
        case FIELD: this.closeField(f); break;
        case VALUES:
          if (f.count === 0) this.fail(f, E.Empty, 'Values holds no Value; a CheckList field needs one or more Value elements inside Values.');
          break;
        case ROWS:
          if (f.count === 0) this.fail(f, E.Empty, 'Rows holds no Row; a SectionRepeater field needs one or more Row elements inside Rows.');
          break;
        case ROW:
          if (f.count === 0) this.missing(f, 'Fields', 'Row needs a Fields element holding the fields of that row.');
          break;
        case REPORTS:
          if (f.count === 0) this.fail(f, E.NoReports, 'Reports holds no Report; a file must contain at least one Report.');
          break;
        default:
      }
    }
    if ((f.flags & NS_SCOPE) !== 0) {
      const scope = this.nsScopes.pop()!;
      this.defaultNs = scope.defaultNs;
      this.prefixes = scope.prefixes;
    }
    this.depth = depth - 1;
  };

  /**
   * Records a well-formedness error thrown by saxes as the only problem. Its position is the
   * parser's, which has just read the offending character.
   */
  syntaxError(err: Error): void {
    const { line, column } = this.parser;
    const raw = err.message.replace(/^\d+:\d+: /, '');
    const fieldName = this.depth > 0 ? this.pathTo(this.depth) : FILE_FIELD;
    let code: ImportErrorCode = E.XmlSyntax;
    let message: string;
    if (raw.startsWith('inappropriately located doctype')) {
      code = E.DoctypeNotAllowed;
      message = DOCTYPE_MESSAGE;
    } else if (raw.startsWith('document must contain a root element')) {
      message = 'The file holds no XML element; expected an XML document whose root element is Reports.';
    } else if (raw.startsWith('unclosed tag')) {
      message = `The file ends inside element '${raw.slice(14).trim()}': it is truncated or an end tag is missing.`;
    } else if (raw.startsWith('undefined entity')) {
      message = `Undefined entity reference at line ${line}, column ${column}: only &amp; &lt; &gt; &quot; &apos; ` +
        'and numeric character references are allowed (write & as &amp;).';
    } else {
      message = `The file is not well-formed XML at line ${line}, column ${column}: ${raw}`;
    }
    this.problems = [{ fieldName, errorCode: code, message, line, column }];
    this.truncated = false;
    this.inReport = false;
  }

  // ---------------------------------------------------------------- opening elements

  private openRoot(local: string, ns: string): number {
    if (local !== 'Reports') {
      this.stop(E.InvalidRoot, `The root element must be Reports; found '${local}'.`, local, this.tagLine, this.tagCol, false);
    }
    if (ns !== IMPORT_NAMESPACE && ns !== '') {
      this.stop(E.InvalidNamespace, `Reports must be in namespace '${IMPORT_NAMESPACE}' (or in no namespace); ` +
        `found ${describeNs(ns)}.`, 'Reports', this.tagLine, this.tagCol, false);
    }
    this.rootNs = ns;
    return REPORTS;
  }

  private openChild(pk: number, parent: Frame, f: Frame): number {
    const local = f.local;
    switch (pk) {
      case REPORTS:
        if (local !== 'Report') return this.unknown(f, parent, 'Report');
        f.index = ++parent.count;
        if (++this.reportCount > this.limits.maxReports) {
          this.stop(E.LimitExceeded, `The file has more than ${this.limits.maxReports} reports, the most accepted ` +
            'in one file; split it into smaller files.', this.pathTo(this.depth), f.line, f.col, false);
        }
        this.rs.reset(this.problems.length);
        this.reportFields = 0;
        this.inReport = true;
        return REPORT;
      case REPORT: {
        const kind = reportChildKind(local);
        if (kind < 0) return this.unknown(f, parent, REPORT_CHILD_LIST);
        const bit = reportBit(kind);
        if ((this.rs.seen & bit) !== 0) return this.repeated(f, 'Report');
        this.rs.seen |= bit;
        if (kind !== FIELDS) {
          this.rs.line[kind - R_ID] = f.line;
          this.rs.col[kind - R_ID] = f.col;
        }
        return kind;
      }
      case FIELDS: {
        if (local !== 'Field') return this.unknown(f, parent, 'Field');
        f.index = ++parent.count;
        // rows' fields count too: a report's fields are answered together by GetReportFields
        if (++this.reportFields === MAX_REPORT_FIELDS + 1) {
          return this.fail(f, E.LimitExceeded, `The report has more than ${MAX_REPORT_FIELDS} fields (rows' fields included), the most accepted.`);
        }
        if (this.reportFields > MAX_REPORT_FIELDS) return SKIP;
        const level = ++this.fieldLevel;
        const fs = this.fieldStates[level - 1] ?? (this.fieldStates[level - 1] = new FieldState());
        fs.reset();
        return FIELD;
      }
      case FIELD: return this.openFieldChild(f, parent);
      case VALUES:
        if (local !== 'Value') return this.unknown(f, parent, 'Value');
        f.index = ++parent.count;
        if (f.index === MAX_CHECKLIST_OPTIONS + 1) {
          return this.fail(f, E.LimitExceeded, `Values holds more than ${MAX_CHECKLIST_OPTIONS} Value elements, the most a CheckList accepts.`);
        }
        if (f.index > MAX_CHECKLIST_OPTIONS) return SKIP;
        return V_VALUE;
      case ROWS: {
        if (local !== 'Row') return this.unknown(f, parent, 'Row');
        f.index = ++parent.count;
        const fs = this.fieldStates[this.fieldLevel - 1];
        fs.curRow = [];
        fs.rows!.push(fs.curRow);
        return ROW;
      }
      case ROW:
        if (local !== 'Fields') return this.unknown(f, parent, 'Fields');
        if (parent.count++ > 0) return this.repeated(f, 'Row');
        return FIELDS;
      default:
        return this.fail(f, E.UnknownElement, `${parent.local} holds text only; element '${local}' is not allowed inside it.`);
    }
  }

  private openFieldChild(f: Frame, parent: Frame): number {
    const kind = fieldChildKind(f.local);
    if (kind < 0) return this.unknown(f, parent, FIELD_CHILD_LIST);
    const fs = this.fieldStates[this.fieldLevel - 1];
    const rank = fieldRank(kind);
    if (rank < fs.rank) {
      this.fail(f, E.ElementOrder, `${f.local} must come before ${KIND_NAME[fs.rankKind]} in a Field; the order is ` +
        `${FIELD_CHILD_LIST}.`);
    } else {
      fs.rank = rank;
      fs.rankKind = kind;
    }
    if (rank < 3) {
      const bit = 1 << rank;
      if ((fs.seen & bit) !== 0) return this.repeated(f, 'Field');
      fs.seen |= bit;
      return kind;
    }
    if (fs.shape !== 0) {
      if (fs.shape === kind) return this.repeated(f, 'Field');
      return this.fail(f, E.ValueShape, `A Field holds exactly one of Value, Values or Rows; this one already has ` +
        `${KIND_NAME[fs.shape]}, so ${f.local} is not allowed.`);
    }
    fs.shape = kind;
    if (fs.type !== undefined) {
      const wanted = valueElementFor(fs.type);
      if (wanted !== f.local) {
        return this.fail(f, E.ValueShape, `Field${labelText(fs.label)} has FieldType ${fs.type}, which takes ` +
          `${VALUE_SHAPE_TEXT[wanted]}, not ${f.local}.`);
      }
    }
    if (kind === ROWS) {
      if (this.fieldLevel > this.limits.maxRepeaterDepth) {
        return this.fail(f, E.NestingTooDeep, `SectionRepeater fields are nested more than ` +
          `${this.limits.maxRepeaterDepth} deep (a Row's fields may hold repeaters only that many levels down).`);
      }
      fs.rows = [];
    } else if (kind === VALUES) fs.values = [];
    return kind;
  }

  private unknown(f: Frame, parent: Frame, allowed: string): number {
    return this.fail(f, E.UnknownElement, `Element '${f.local}' is not allowed in ${parent.local}; allowed there: ${allowed}.`);
  }

  private repeated(f: Frame, parentName: string): number {
    return this.fail(f, E.Repeated, `${f.local} appears more than once in this ${parentName}; it is allowed once.`);
  }

  private readAttributes(attributes: Record<string, string>, f: Frame): string[] | null {
    let others: string[] | null = null;
    let defaultNs: string | undefined;
    let prefixes: Map<string, string> | null = null;
    for (const name in attributes) {
      if (name === 'xmlns') defaultNs = attributes[name];
      else if (name.startsWith('xmlns:')) (prefixes ??= new Map(this.prefixes)).set(name.slice(6), attributes[name]);
      else (others ??= []).push(name);
    }
    if (defaultNs !== undefined || prefixes !== null) {
      this.nsScopes.push({ defaultNs: this.defaultNs, prefixes: this.prefixes });
      if (defaultNs !== undefined) this.defaultNs = defaultNs;
      if (prefixes !== null) this.prefixes = prefixes;
      f.flags |= NS_SCOPE;
    }
    if (others === null) return null;
    others = others.filter((a) => {
      const colon = a.indexOf(':');
      if (colon < 0 || this.prefixes.get(a.slice(0, colon)) !== XSI_NAMESPACE) return true;
      const local = a.slice(colon + 1);
      return local !== 'schemaLocation' && local !== 'noNamespaceSchemaLocation';
    });
    return others.length > 0 ? others : null;
  }

  private resolvePrefix(prefix: string, name: string): string {
    if (prefix === 'xml') return XML_NAMESPACE;
    const uri = this.prefixes.get(prefix);
    if (uri === undefined || uri === '') {
      this.stop(E.XmlSyntax, `Namespace prefix '${prefix}' of element '${name}' is not declared (line ` +
        `${this.tagLine}).`, this.depth > 0 ? this.pathTo(this.depth) : FILE_FIELD, this.tagLine, this.tagCol, true);
    }
    return uri;
  }
}

function describeNs(ns: string): string {
  return ns === '' ? 'no namespace' : `'${ns}'`;
}
