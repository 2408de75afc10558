import type { UpdateAdditionalField } from '../../model/report-queries.ts';
import { Errors, MemberErrorCode } from '../../shared/errors.ts';
import { ImportErrorCode } from '../../shared/import-error-codes.ts';
import { checkFieldValue, MAX_CHECKLIST_CHARS, MAX_CHECKLIST_OPTIONS, MAX_OPTION } from '../../import/report-rules.ts';
import { trimXml } from '../../import/xml-text.ts';
import type { FieldAnswer } from '../../store/store.ts';
import { requireCaller, type Handler, type ServiceParts } from '../context.ts';

/** The options of a CheckList: a JSON array of strings, or one option written plainly. */
function checkListOptions(text: string): string[] | { code: ImportErrorCode | typeof MemberErrorCode.InvalidCheckList; message: string } {
  if (!text.startsWith('[')) return [text];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((v) => typeof v === 'string')) {
    return { code: MemberErrorCode.InvalidCheckList, message: 'A CheckList value is a JSON array of the options checked, such as ["Weather","Wildlife"].' };
  }
  if (parsed.length > MAX_CHECKLIST_OPTIONS) {
    return { code: ImportErrorCode.LimitExceeded, message: `A CheckList value names at most ${MAX_CHECKLIST_OPTIONS} options.` };
  }
  const options = parsed.map((v) => trimXml(v));
  if (options.length === 0 || options.some((v) => v === '')) {
    return { code: ImportErrorCode.Empty, message: 'A CheckList value names at least one option, and no option is empty.' };
  }
  const long = options.find((v) => [...v].length > MAX_OPTION);
  if (long !== undefined) return { code: ImportErrorCode.TooLong, message: `A CheckList option is longer than ${MAX_OPTION.toLocaleString('en-US')} characters.` };
  if (options.reduce((n, v) => n + v.length, 0) > MAX_CHECKLIST_CHARS) {
    return { code: ImportErrorCode.LimitExceeded, message: `The options of a CheckList hold more than ${MAX_CHECKLIST_CHARS.toLocaleString('en-US')} characters together.` };
  }
  return options;
}

/** The new value is held to the rules an import file's value of the same type is held to. */
export const updateAdditionalField = ({ store }: Pick<ServiceParts, 'store'>): Handler<typeof UpdateAdditionalField> => async (req, ctx) => {
  const caller = requireCaller(ctx);
  const field = await store.findReportField(caller.orgId, req.FieldId);
  if (!field) throw Errors.fieldNotFound(req.FieldId);
  const text = trimXml(req.Value ?? '');
  let answer: FieldAnswer;
  if (field.fieldType === 'SectionRepeater') throw Errors.fieldNotUpdatable(field.fieldType);
  if (field.fieldType === 'CheckList') {
    const options = checkListOptions(text);
    if (!Array.isArray(options)) throw Errors.invalidFieldValue(field.fieldType, options);
    answer = { value: null, values: options };
  } else {
    const problem = checkFieldValue(field.fieldType, text, undefined);
    if (problem) throw Errors.invalidFieldValue(field.fieldType, problem);
    answer = { value: text, values: null };
  }
  // the field may have gone with its organisation's data between the two calls
  if (!(await store.updateReportField({ orgId: caller.orgId, fieldId: req.FieldId, answer, userId: caller.userId, now: Date.now() }))) {
    throw Errors.fieldNotFound(req.FieldId);
  }
  return {};
};
