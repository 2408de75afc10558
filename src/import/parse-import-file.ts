/**
 * Checks an import file (the bytes of ImportReports.FileBytes) against the format of
 * docs/import-format.md and turns each report into its stored JSON form, or hands it to a
 * batcher (the rows a store stages, built as the file is read).
 *
 * - Streaming (saxes, no DOM): memory stays near the size of the file plus the JSON of its reports.
 * - Every problem is listed (up to `limits.maxErrors`, then `truncated`), each with a path such as
 *   `Reports/Report[3]/Fields/Field[2]/Value`, line, column and the report's id where known.
 *   Codes: see ../shared/import-error-codes.ts.
 * - Problems that make reading on pointless or unsafe stop the check and are the only problem
 *   listed: invalid UTF-8, another encoding, a DOCTYPE, malformed XML. Passing a size, depth,
 *   element or report limit stops it too, keeping what was found before.
 * - Attributes: anything but namespace declarations and xsi:schemaLocation is an UnknownAttribute
 *   problem (the XSD declares no attributes either).
 * - Element order: free inside Report (the XSD uses xs:all); fixed inside Field: Label, FieldType,
 *   SectionName, then Value | Values | Rows (the XSD needs a sequence for that choice).
 * - A ReportId seen earlier in the file makes the later report a duplicate: it is checked, left out
 *   of `reports`, and its id listed once in `duplicatesInFile`.
 */
import { SaxesParser } from 'saxes';
import { FILE_FIELD, ImportErrorCode } from '../shared/import-error-codes.ts';
import { type ImportSaxParser, ImportWalker, type ParsedReport, STOP } from './import-walker.ts';
import type { FormRef, ImportLimits, ImportProblem, ReportRecord } from '../shared/report-record.ts';
import { checkFileEncoding, checkProlog } from './xml-text.ts';

export { type ParsedReport } from './import-walker.ts';

export type ParseOutcome =
  | { ok: true; reports: ParsedReport[]; duplicatesInFile: string[] }
  | { ok: false; problems: ImportProblem[]; truncated: boolean };

export interface ParseContext<B = never> {
  /** the organisation's form of that name (matched case-insensitively by the caller), active or not */
  forms: (name: string) => FormRef | undefined;
  limits: ImportLimits;
  /**
   * Receives the reports read so far after each chunk, while no problem has been found; they are
   * then not kept, and `reports` of the outcome holds only those not yet handed over.
   */
  onReports?: (reports: ParsedReport[]) => void;
  /**
   * Instead of JSON: each accepted report is added to `into` as it closes, and the batch built so
   * far is taken and handed to `onBatch` after each chunk (or piece of one, once `into` is full)
   * while no problem has been found, and once more when the whole file has passed (`reports` of the
   * outcome is then empty). A file that fails leaves the batches already handed over to be discarded.
   */
  batches?: { into: ReportBatcher<B>; onBatch: (batch: B) => void };
}

/** Collects reports into batches of any form (see ParseContext.batches). */
export interface ReportBatcher<B> {
  add(record: ReportRecord): void;
  /** reports added since the last take */
  readonly size: number;
  /** the batch is worth handing over before the chunk ends */
  readonly full: boolean;
  take(): B;
  /** drops what was added since the last take */
  clear(): void;
}

/** Bytes read between turns of the event loop, and between batches handed over. */
const CHUNK_BYTES = 1 << 20;
/**
 * Bytes decoded and handed to the XML parser at a time: small enough that each piece of text is an
 * ordinary young object, which dies at the next scavenge; a 1 MiB string is a large object, and
 * dead ones pile up in the old generation until a full collection (tens of MB over a file).
 */
const PIECE_BYTES = 1 << 15;

export async function parseImportFile<B = never>(file: Buffer, ctx: ParseContext<B>): Promise<ParseOutcome> {
  const { limits } = ctx;
  if (file.length > limits.maxFileBytes) {
    return refuse({
      fieldName: FILE_FIELD, errorCode: ImportErrorCode.LimitExceeded,
      message: `The file has ${file.length} bytes; the most accepted is ${limits.maxFileBytes}.`,
    });
  }
  const encoding = checkFileEncoding(file);
  if (!encoding.ok) return refuse(encoding.problem);
  const prologProblem = checkProlog(file, encoding.start);
  if (prologProblem !== null) return refuse(prologProblem);

  const parser: ImportSaxParser = new SaxesParser<{ xmlns: false; position: true }>({ xmlns: false, position: true });
  const batches = ctx.batches;
  const walker = new ImportWalker(parser, ctx.forms, limits, batches?.into);
  try {
    let offset = encoding.start;
    const end = file.length;
    while (offset < end) {
      const chunkEnd = Math.min(offset + CHUNK_BYTES, end);
      while (offset < chunkEnd) {
        let next = Math.min(offset + PIECE_BYTES, end);
        // Cut at a character boundary; the file is known to be valid UTF-8.
        while (next < end && next > offset && (file[next] & 0xc0) === 0x80) next--;
        parser.write(file.toString('utf8', offset, next));
        offset = next;
        if (batches && batches.into.full && walker.problems.length === 0) batches.onBatch(batches.into.take());
      }
      if (walker.problems.length === 0) {
        if (batches && batches.into.size > 0) batches.onBatch(batches.into.take());
        else if (ctx.onReports && walker.reports.length > 0) ctx.onReports(walker.reports.splice(0));
      }
      if (offset < end) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    parser.close();
  } catch (e) {
    if (isSaxesError(e)) walker.syntaxError(e);
    else if (e !== STOP) throw e;
  }
  walker.finish();
  if (walker.problems.length > 0) {
    batches?.into.clear();
    return { ok: false, problems: walker.problems, truncated: walker.truncated };
  }
  if (batches && batches.into.size > 0) batches.onBatch(batches.into.take());
  return { ok: true, reports: walker.reports, duplicatesInFile: walker.duplicatesInFile };
}

/** saxes reports well-formedness errors as `line:column: message` (position tracking is on). */
function isSaxesError(e: unknown): e is Error {
  return e instanceof Error && /^\d+:\d+: /.test(e.message);
}

function refuse(problem: ImportProblem): ParseOutcome {
  return { ok: false, problems: [problem], truncated: false };
}
