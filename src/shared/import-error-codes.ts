/**
 * The error codes an import file can be refused with. They travel as `ResponseError.ErrorCode`,
 * so clients may branch on them: add codes, never rename one.
 *
 * Stopping codes end the check at once (the file cannot be read further, or reading on would be
 * unsafe); every other code is collected and the check goes on, up to `ImportLimits.maxErrors`.
 */
export const ImportErrorCode = {
  // --- the file as a whole (stopping) ---
  /** bytes that are not valid UTF-8 */
  InvalidUtf8: 'InvalidUtf8',
  /** a UTF-16/UTF-32 file, or an XML declaration naming another encoding than UTF-8 */
  UnsupportedEncoding: 'UnsupportedEncoding',
  /** a DOCTYPE declaration: refused so no DTD, entity expansion or external fetch can happen */
  DoctypeNotAllowed: 'DoctypeNotAllowed',
  /** not well-formed XML (also: empty file, truncated file, undefined entity) */
  XmlSyntax: 'XmlSyntax',
  /** the file is too large, too deep, has too many elements or too many reports */
  LimitExceeded: 'LimitExceeded',
  /** the root element is not `Reports` */
  InvalidRoot: 'InvalidRoot',
  /** the root is in a foreign namespace (stopping), or a child is in another namespace than the root */
  InvalidNamespace: 'InvalidNamespace',

  // --- structure ---
  /** `Reports` holds no `Report` */
  NoReports: 'NoReports',
  /** an element the format does not define at that place */
  UnknownElement: 'UnknownElement',
  /** an attribute other than namespace declarations and xsi:schemaLocation */
  UnknownAttribute: 'UnknownAttribute',
  /** non-whitespace text directly inside a container element */
  UnexpectedText: 'UnexpectedText',
  /** an element that may appear once appears again */
  Repeated: 'Repeated',
  /** `Field` children out of the order Label, FieldType, SectionName, Value|Values|Rows */
  ElementOrder: 'ElementOrder',
  /** a required element is missing */
  Required: 'Required',
  /** an element that needs a value holds only whitespace, or a list holds no items */
  Empty: 'Empty',
  /** a value longer than its limit (counted in Unicode characters after trimming) */
  TooLong: 'TooLong',

  // --- values ---
  InvalidGuid: 'InvalidGuid',
  InvalidDate: 'InvalidDate',
  InvalidNumber: 'InvalidNumber',
  InvalidBoolean: 'InvalidBoolean',
  /** a ReportStatus or FieldType outside its fixed list */
  InvalidEnum: 'InvalidEnum',

  // --- rules across elements ---
  /** FormName is not a form of the organisation */
  UnknownForm: 'UnknownForm',
  /** FormName is a form of the organisation that is switched off */
  InactiveForm: 'InactiveForm',
  /** SubmittedDate before RaisedDate */
  DateOrder: 'DateOrder',
  /** ClosedDate or ClosedBy on a report whose status is not Closed */
  ClosedOnlyWhenClosed: 'ClosedOnlyWhenClosed',
  /** Value, Values or Rows used with a FieldType that takes another one, or two of them in one Field */
  ValueShape: 'ValueShape',
  /** SectionRepeater fields nested deeper than `ImportLimits.maxRepeaterDepth` */
  NestingTooDeep: 'NestingTooDeep',
} as const;

export type ImportErrorCode = (typeof ImportErrorCode)[keyof typeof ImportErrorCode];

/** `fieldName` of problems that concern the uploaded file as a whole (the request DTO's property). */
export const FILE_FIELD = 'FileBytes';
