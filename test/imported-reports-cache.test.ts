import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ImportedReportsCache } from '../src/store/imported-reports-cache.ts';

const rows = (n: number, from = 0) => Array.from({ length: n }, (_, i) => [from + i + 1, `r${from + i}`, `OCC-${from + i + 1}`] as [number, string, string]);

describe('the imported-reports cache stays bounded', () => {
  test('by pairs: the least recently read imports go first, and a dropped import is read again whole', () => {
    const c = new ImportedReportsCache(100, 1000);
    c.read(1, 60, () => rows(60));
    c.read(2, 60, () => rows(60, 100));
    let fetched = 0;
    const again = c.read(1, 60, (after) => { fetched++; return rows(60).filter((r) => r[0] > after); });
    assert.equal(fetched, 1);
    assert.equal(again.length, 60);
    assert.equal(c.importsHeld, 1);
  });

  test('by imports: imports with no pairs yet are dropped past the bound too', () => {
    const c = new ImportedReportsCache(1_000_000, 50);
    for (let pk = 1; pk <= 500; pk++) c.read(pk, 0, () => []);
    assert.equal(c.importsHeld, 50);
  });
});
