/**
 * State shared by the stages of the import walker, and how problems are recorded: each problem
 * gets the path of the element it concerns (`Reports/Report[3]/Fields/Field[2]/Value`), the line
 * and column of that element's start tag, and later the id of its report.
 */
import type { SaxesParser } from 'saxes';
import { ImportErrorCode as E, type ImportErrorCode } from '../shared/import-error-codes.ts';
import { FieldState, Frame, ReportState, SKIP } from './import-state.ts';
import type { ImportLimits, ImportProblem, ReportRecord } from '../shared/report-record.ts';
import { quote } from './xml-text.ts';

export const IMPORT_NAMESPACE = 'urn:coruson:reports:import:1';

export type ImportSaxParser = SaxesParser<{ xmlns: false; position: true }>;

/** Thrown out of a saxes callback to abandon the parse; nothing else may throw it. */
export const STOP: unique symbol = Symbol('stop import parse');

export interface ParsedReport { id: string; form: number; json: string }

/** Where accepted reports go when they are not kept as JSON. */
export interface ReportSink { add(record: ReportRecord): void }

export abstract class WalkerBase {
  problems: ImportProblem[] = [];
  truncated = false;

  protected readonly maxErrors: number;
  /** frames[0] stands for the document; frames[depth] is the innermost open element */
  protected readonly frames: Frame[] = [new Frame()];
  protected depth = 0;
  protected inReport = false;
  protected readonly rs = new ReportState();
  /** fieldStates[fieldLevel - 1] is the innermost open Field */
  protected readonly fieldStates: FieldState[] = [];
  protected fieldLevel = 0;

  constructor(protected readonly parser: ImportSaxParser, protected readonly limits: ImportLimits) {
    this.maxErrors = Math.max(1, limits.maxErrors);
  }

  /** Gives the problems found inside the open report its id, which may come after them in the file. */
  protected backfillReportId(): void {
    const id = this.rs.id;
    if (id === undefined) return;
    for (let i = this.rs.problemStart; i < this.problems.length; i++) this.problems[i].reportId ??= id;
  }

  /** Records a problem at the element `f` (the innermost open one) and returns SKIP for its subtree. */
  protected fail(f: Frame, code: ImportErrorCode, message: string): number {
    this.problem(code, message, this.pathTo(this.depth), f.line, f.col);
    return SKIP;
  }

  /** A required child of the open element `f` is absent: the path names the child, the position is f's. */
  protected missing(f: Frame, child: string, message: string): void {
    this.problem(E.Required, message, `${this.pathTo(this.depth)}/${child}`, f.line, f.col);
  }

  protected problem(errorCode: ImportErrorCode, message: string, fieldName: string, line: number, column: number): void {
    if (this.problems.length >= this.maxErrors) {
      this.truncated = true;
      throw STOP;
    }
    const p: ImportProblem = { fieldName, errorCode, message, line };
    if (column > 0) p.column = column;
    this.problems.push(p);
  }

  /** Records a problem that ends the check; `replace` drops earlier problems, which it makes meaningless. */
  protected stop(errorCode: ImportErrorCode, message: string, fieldName: string, line: number, column: number, replace: boolean): never {
    const p: ImportProblem = { fieldName, errorCode, message, line };
    if (column > 0) p.column = column;
    if (replace) {
      this.problems = [p];
      this.truncated = false;
      this.inReport = false;
    } else this.problems.push(p);
    throw STOP;
  }

  protected pathTo(depth: number): string {
    let path = '';
    for (let d = 1; d <= depth; d++) {
      const f = this.frames[d];
      if (d > 1) path += '/';
      path += f.index > 0 ? `${f.local}[${f.index}]` : f.local;
    }
    return path;
  }
}

export function labelText(label: string | undefined): string {
  return label === undefined ? '' : ` ${quote(label)}`;
}
