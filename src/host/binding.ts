/**
 * Builds a request DTO from an HTTP request as ServiceStack does: the body first, then path
 * variables, the query string and form fields over it (form > query > path > body) on user
 * routes; on predefined routes the body wins and the query only fills what it left empty.
 */
import { allMembers, type Dto, type Operation } from '../model/dsl.ts';
import { Errors, type FieldError, type ValidationCodeValue } from '../shared/errors.ts';
import { memberLookup } from './dto-shape.ts';
import type { WireFormat } from './formats/format.ts';
import { invalidValue } from './formats/json.ts';
import { fromText, textProblem } from './values.ts';

/** Query names the host itself reads; never bound to members. */
const reserved = new Set(['format', 'callback', 'jsconfig', 'debug', 'apikey', 'ss-id', 'ss-pid', 'ss-opt']);

export interface BindInput {
  op: Operation;
  params: Record<string, string>;
  query: Record<string, string | string[] | undefined>;
  body: Buffer | undefined;
  contentType: string | undefined;
  /** the format the URL named (predefined route or extension), if any */
  routeFormat: WireFormat | undefined;
  predefined: boolean;
  bodyFormats: readonly WireFormat[];
}

export function bindRequest(input: BindInput): Record<string, unknown> {
  const { op } = input;
  const errors: FieldError[] = [];
  let dto: Record<string, unknown> = {};
  let form: Record<string, string> | undefined;

  if (input.body && input.body.length > 0) {
    const mediaType = input.contentType?.split(';')[0].trim().toLowerCase() ?? '';
    if (mediaType === 'application/x-www-form-urlencoded') {
      form = Object.fromEntries(new URLSearchParams(input.body.toString('utf8')));
    } else {
      const byContentType = input.bodyFormats.find((f) => f.mediaTypes.includes(mediaType));
      // predefined routes read the body in the route's format whatever the Content-Type says
      // (JsonApiClient sends none); /api/{Op} reads JSON unless the Content-Type names another format
      const format = input.predefined
        ? input.routeFormat ?? byContentType ?? input.bodyFormats[0]
        : byContentType ?? (mediaType === '' ? input.bodyFormats[0] : undefined);
      if (!format) {
        const accepted = input.bodyFormats.map((f) => f.mediaTypes[0]).join(', ');
        throw Errors.unbindable(op.request.name, [
          { errorCode: 'UnsupportedMediaType', fieldName: 'Content-Type', message: `Request bodies of type '${mediaType}' are not accepted; send one of ${accepted}` },
        ]);
      }
      dto = format.read(op.request, input.body, errors);
    }
  }

  const lookup = memberLookup(op.request);
  const apply = (source: Record<string, string | string[] | undefined>, onlyEmpty: boolean) => {
    for (const key in source) {
      let raw = source[key];
      if (raw === undefined) continue;
      if (Array.isArray(raw)) raw = raw.join(',');
      if (raw === '') continue; // ServiceStack skips empty values
      const lower = key.toLowerCase();
      if (reserved.has(lower)) continue;
      const found = lookup.get(lower === 'v' ? 'version' : lower);
      if (!found) continue;
      const [name, m] = found;
      if (onlyEmpty && dto[name] != null) continue;
      const c = fromText(m.type, raw);
      if (c.ok) dto[name] = c.value;
      else errors.push(invalidValue(name, raw, m.type));
    }
  };
  apply(input.params, false);
  apply(input.query, input.predefined && !!input.body?.length);
  if (form) apply(form, false);

  if (errors.length) throw Errors.unbindable(op.request.name, errors);
  validate(op.request, dto);
  return dto;
}

/** The declared rules every request passes before its handler sees it. */
export function validate(dto: Dto, value: Record<string, unknown>): void {
  const unstorable: FieldError[] = [];
  for (const [name] of allMembers(dto)) checkText(value[name], name, unstorable, 0);
  if (unstorable.length) throw Errors.invalidCharacters(unstorable);
  const errors: FieldError<ValidationCodeValue>[] = [];
  for (const [name, m] of allMembers(dto)) {
    const v = value[name];
    if (v == null || v === '') {
      if (m.default !== undefined) value[name] = m.default;
      else if (m.required) errors.push({ errorCode: 'NotEmpty', fieldName: name, message: `'${name}' must not be empty.` });
      continue;
    }
    if (m.required && Buffer.isBuffer(v) && v.length === 0) {
      errors.push({ errorCode: 'NotEmpty', fieldName: name, message: `'${name}' must not be empty.` });
    } else if (m.required && typeof v === 'string' && v.trim() === '') {
      errors.push({ errorCode: 'NotEmpty', fieldName: name, message: `'${name}' must not be empty.` });
    } else if (m.maxLength !== undefined && typeof v === 'string' && v.length > m.maxLength) {
      errors.push({
        errorCode: 'MaximumLength',
        fieldName: name,
        message: `The length of '${name}' must be ${m.maxLength} characters or fewer. You entered ${v.length} characters.`,
      });
    } else if (typeof v === 'number' && m.min !== undefined && m.max === undefined && v < m.min) {
      errors.push({
        errorCode: 'GreaterThanOrEqual',
        fieldName: name,
        message: `'${name}' must be greater than or equal to '${m.min}'. You entered ${v}.`,
      });
    } else if (typeof v === 'number' && ((m.min !== undefined && v < m.min) || (m.max !== undefined && v > m.max))) {
      errors.push({
        errorCode: 'InclusiveBetween',
        fieldName: name,
        message: `'${name}' must be between ${m.min ?? '-∞'} and ${m.max ?? '∞'}. You entered ${v}.`,
      });
    }
  }
  if (errors.length) throw Errors.validation(errors);
}

/** Every string in a bound value (list items, dictionary keys and values, nested DTOs) is held to textProblem. */
function checkText(v: unknown, path: string, errors: FieldError[], depth: number): void {
  if (typeof v === 'string') {
    const problem = textProblem(v);
    if (problem) errors.push({ errorCode: 'InvalidCharacters', fieldName: path, message: `'${path}' ${problem}; it cannot be stored.` });
  } else if (depth < 64 && Array.isArray(v)) {
    for (let i = 0; i < v.length && errors.length < 10; i++) checkText(v[i], `${path}[${i}]`, errors, depth + 1);
  } else if (depth < 64 && v !== null && typeof v === 'object' && !Buffer.isBuffer(v) && !(v instanceof Date)) {
    for (const k in v as Record<string, unknown>) {
      if (errors.length >= 10) return;
      checkText(k, `${path}.Key`, errors, depth + 1);
      checkText((v as Record<string, unknown>)[k], `${path}.${k}`, errors, depth + 1);
    }
  }
}
