import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Errors, ApiError, ImportOutcomeCode, MemberErrorCode, ValidationCode } from '../src/shared/errors.ts';
import { ImportErrorCode } from '../src/shared/import-error-codes.ts';

const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
/** The page's sections by the start of their heading. */
const section = (heading: string) => {
  const part = doc.split(/^## /m).find((s) => s.startsWith(heading));
  assert.ok(part, `docs/errors.md has a section '${heading}'`);
  return part;
};
const codesIn = (heading: string) => new Set([...section(heading).matchAll(/^\| (\w+) \|/gm)].map((m) => m[1]).filter((c) => c !== 'ErrorCode'));
const sorted = (xs: Iterable<string>) => [...xs].sort();

test('every error the host can build is documented with its status, and every documented one can be built', () => {
  const built = new Set<string>();
  const sample = { errorCode: ValidationCode.NotEmpty, fieldName: 'X', message: 'm' };
  for (const [name, factory] of Object.entries(Errors)) {
    const args = ({
      validation: [[sample]],
      invalidCharacters: [[{ ...sample, errorCode: MemberErrorCode.InvalidCharacters }]],
      unbindable: ['Request', [{ ...sample, errorCode: MemberErrorCode.SerializationException }]],
      invalidImportFile: [[{ ...sample, errorCode: ImportErrorCode.Required }], false],
      refusedByHttpLayer: [400, 'm'],
      invalidFieldValue: ['Numerical', { code: ImportErrorCode.InvalidNumber, message: 'm' }],
    } as Record<string, unknown[]>)[name] ?? ['x', 'y', ['GET']];
    const e = (factory as (...a: unknown[]) => ApiError)(...args);
    assert.ok(e instanceof ApiError, name);
    built.add(`${e.status} ${e.errorCode}`);
    for (const member of e.errors) assert.ok(Object.values(MemberErrorCode).includes(member.errorCode as never) || Object.values(ImportErrorCode).includes(member.errorCode as never), `${name}: ${member.errorCode}`);
  }
  // a failed validation answers with the code of its first failing rule
  for (const code of Object.values(ValidationCode)) {
    const e = Errors.validation([{ errorCode: code, fieldName: 'X', message: 'm' }]);
    built.add(`${e.status} ${e.errorCode}`);
  }
  const documented = [...section('Response errors').matchAll(/^\| (\d{3}) \| (\w+) \|/gm)].map((m) => `${m[1]} ${m[2]}`);
  assert.deepEqual(sorted(built), sorted(documented));
});

test('every member error code is documented, and every documented one exists', () => {
  assert.deepEqual(sorted(codesIn('Member errors')), sorted(Object.values(MemberErrorCode)));
});

test('every import outcome code is documented, and every documented one exists', () => {
  assert.deepEqual(sorted(codesIn('Import outcomes')), sorted(Object.values(ImportOutcomeCode)));
});

test('every import problem code is documented, and every documented one exists', () => {
  assert.deepEqual(sorted(codesIn('Import file problems')), sorted(Object.values(ImportErrorCode)));
});
