/**
 * CSV as ServiceStack's CsvSerializer writes a response: the first collection member becomes the
 * rows (a list of DTOs one row each under a header of their member names, a dictionary as
 * Key,Value rows, a list of values one per line); a response without one is written as a single
 * row of its own members. An error is its ResponseStatus as one row. Cells hold JSV text, quoted
 * when they contain a delimiter; rows end with CRLF.
 */
import type { Dto, TypeRef } from '../../model/dsl.ts';
import { Errors } from '../../shared/errors.ts';
import { memberLookup, reflectionOrder } from '../dto-shape.ts';
import { ResponseStatus } from '../../model/common.ts';
import type { WireFormat } from './format.ts';
import { jsvValueWriter, parseJsv, readJsvValue } from './jsv.ts';

type Write = (v: unknown) => string;

const needsQuotes = /[",\r\n]/;

function csvField(s: string): string {
  return needsQuotes.test(s) ? '"' + s.replaceAll('"', '""') + '"' : s;
}

const formulaStart = /^[=+\-@\t\r]/;
const controls = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

/**
 * A text cell a spreadsheet would run as a formula (OWASP "CSV Injection": it starts with = + - @,
 * tab or CR) gets a leading single quote and is quoted. Only string members are text cells:
 * numbers, dates and ids are written as they are, so a negative number stays a number.
 */
function textCell(s: string): string {
  if (controls.test(s)) s = s.replace(controls, '\uFFFD');
  controls.lastIndex = 0;
  if (formulaStart.test(s)) return '"\'' + s.replaceAll('"', '""') + '"';
  return csvField(s);
}

function cellWriter(type: TypeRef): Write {
  if (type.kind === 'scalar' && type.name === 'string') return (v) => textCell(String(v));
  const jsv = jsvValueWriter(type);
  return (v) => csvField(jsv(v));
}

/** The header and one row per value, for a DTO's members. */
function rowsWriter(dto: Dto): Write {
  const columns = reflectionOrder(dto).map(([name, m]) => ({ name, cell: cellWriter(m.type) }));
  const header = columns.map((c) => csvField(c.name)).join(',') + '\r\n';
  return (v) => {
    let out = header;
    for (const row of v as Array<Record<string, unknown> | null>) {
      out += columns.map((c) => (row?.[c.name] == null ? '' : c.cell(row[c.name]))).join(',') + '\r\n';
    }
    return out;
  };
}

function collectionWriter(type: TypeRef): Write {
  if (type.kind === 'dict') {
    const key = cellWriter(type.key);
    const value = cellWriter(type.value);
    return (v) => {
      let out = 'Key,Value\r\n';
      for (const [k, x] of Object.entries((v ?? {}) as Record<string, unknown>)) out += key(k) + ',' + (x == null ? '' : value(x)) + '\r\n';
      return out;
    };
  }
  if (type.kind === 'list' && type.of.kind === 'ref') {
    const rows = rowsWriter(type.of.dto);
    return (v) => rows(v ?? []);
  }
  if (type.kind === 'list') {
    const item = cellWriter(type.of);
    return (v) => ((v ?? []) as unknown[]).map((x) => (x == null ? '' : item(x)) + '\r\n').join('');
  }
  throw new Error(`not a collection: ${type.kind}`);
}

const writers = new WeakMap<Dto, Write>();
const statusRow = rowsWriter(ResponseStatus);

function csvWriter(dto: Dto): Write {
  let w = writers.get(dto);
  if (w) return w;
  const members = reflectionOrder(dto);
  const rows = members.find(([name, m]) => name !== 'ResponseStatus' && (m.type.kind === 'list' || m.type.kind === 'dict'));
  const hasStatus = members.some(([name]) => name === 'ResponseStatus');
  const body: Write = rows ? ((write) => (v) => write((v as Record<string, unknown>)[rows[0]]))(collectionWriter(rows[1].type)) : ((write) => (v) => write([v]))(rowsWriter(dto));
  w = (v) => {
    const o = (v ?? {}) as Record<string, unknown>;
    if (hasStatus && o.ResponseStatus != null) return statusRow([o.ResponseStatus]);
    return body(o);
  };
  writers.set(dto, w);
  return w;
}

// ---- reading: a header row, then the request's values in the next row

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  const n = text.length;
  for (;;) {
    let cell = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw Errors.malformedBody('CSV', 'an unterminated quoted field');
        cell += text.slice(i, q);
        i = q + 1;
        if (text[i] === '"') {
          cell += '"';
          i++;
        } else break;
      }
      if (i < n && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        throw Errors.malformedBody('CSV', `unexpected '${text[i]}' after a quoted field at offset ${i}`);
      }
    } else {
      const start = i;
      while (i < n && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') i++;
      cell = text.slice(start, i);
      if (cell.includes('"')) throw Errors.malformedBody('CSV', `a '"' inside an unquoted field at offset ${start}`);
    }
    row.push(cell);
    if (i >= n) {
      rows.push(row);
      return rows;
    }
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text[i] === '\r' && text[i + 1] === '\n') i++;
    i++;
    rows.push(row);
    row = [];
    if (i >= n) return rows;
  }
}

export const csvFormat: WireFormat = {
  name: 'csv',
  contentType: 'text/csv',
  mediaTypes: ['text/csv'],
  responseHeaders: (operationName) => ({ 'content-disposition': `attachment;filename="${operationName}.csv"` }),
  write: (dto, value) => csvWriter(dto)(value),
  read(dto, body, errors) {
    const rows = parseCsv(body.toString('utf8')).filter((r) => !(r.length === 1 && r[0] === ''));
    if (rows.length < 2) throw Errors.malformedBody('CSV', 'expected a header row and a row of values');
    const [header, values] = rows;
    if (values.length !== header.length) {
      throw Errors.malformedBody('CSV', `the header has ${header.length} columns but the values row has ${values.length}`);
    }
    const lookup = memberLookup(dto);
    const out: Record<string, unknown> = {};
    header.forEach((column, i) => {
      const found = lookup.get(column.trim().toLowerCase());
      if (!found) return;
      const [name, m] = found;
      const raw = values[i];
      const isString = m.type.kind === 'scalar' && m.type.name === 'string';
      if (raw === '' && !isString) return;
      const c = readJsvValue(m.type, isString || m.type.kind === 'scalar' || m.type.kind === 'enum' ? raw : parseJsv(raw), name, errors);
      if (c.ok) out[name] = c.value;
    });
    return out;
  },
};
