import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Errors, ApiError } from '../src/shared/errors.ts';
import { ImportErrorCode } from '../src/import/import-error-codes.ts';

const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
const [responsePart, importPart] = doc.split('## Import file problems');

function documentedResponses(): Set<string> {
  const out = new Set<string>();
  for (const m of responsePart.matchAll(/^\| (\d{3}) \| (\w+) \|/gm)) out.add(`${m[1]} ${m[2]}`);
  return out;
}

test('every error the host can build is documented with its status, and every documented one can be built', () => {
  const built = new Set<string>();
  const sample = { errorCode: 'NotEmpty', fieldName: 'X', message: 'm' };
  for (const [name, factory] of Object.entries(Errors)) {
    const args = name === 'validation' ? [[sample]] : name === 'invalidImportFile' ? [[sample], false]
      : name === 'invalidFieldValue' ? ['Numerical', { code: 'InvalidNumber', message: 'm' }] : ['x', 'y', ['GET']];
    const e = (factory as (...a: unknown[]) => ApiError)(...args);
    assert.ok(e instanceof ApiError, name);
    built.add(`${e.status} ${e.errorCode}`);
  }
  // codes produced by validation rules and the generic fallback rather than by a factory of their own
  for (const extra of ['400 NotEmpty', '400 MaximumLength', '400 InclusiveBetween', '400 GreaterThanOrEqual', '400 InvalidDate', '400 BadRequest']) built.add(extra);
  assert.deepEqual([...built].sort(), [...documentedResponses()].sort());
});

test('every import problem code is documented, and every documented one exists', () => {
  const documented = new Set([...importPart.matchAll(/^\| (\w+) \|/gm)].map((m) => m[1]).filter((c) => c !== 'ErrorCode'));
  assert.deepEqual([...documented].sort(), Object.values(ImportErrorCode).sort());
});
