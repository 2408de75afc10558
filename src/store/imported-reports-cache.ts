/**
 * The id → number pairs of an import only ever grow (one batch at a time, in report order), and
 * clients poll them many times while they grow. Each import's pairs are kept here and only the rows
 * created since the last read are fetched; the least recently read imports are dropped past a bound
 * on the pairs held and one on the imports held (an import with no pairs yet still takes an entry).
 */
import { DEFAULT_STATUS_CACHE_PAIRS } from '../shared/config.ts';

export type ImportedPair = [reportId: string, number: string];

interface Entry { lastPk: number; pairs: ImportedPair[] }

export class ImportedReportsCache {
  private readonly entries = new Map<number, Entry>();
  private size = 0;

  constructor(private readonly maxPairs = DEFAULT_STATUS_CACHE_PAIRS, private readonly maxImports = 10_000) {}

  get importsHeld(): number {
    return this.entries.size;
  }

  /**
   * `count` is the import's created-report counter as just read; `fetchAfter(pk)` returns
   * [pk, reportId, number] rows of the import with a primary key above pk, in order.
   */
  read(importPk: number, count: number, fetchAfter: (afterPk: number) => Array<[number, string, string]>): ImportedPair[] {
    let e = this.entries.get(importPk);
    if (e) this.entries.delete(importPk); // re-inserted below: Map order is recency
    else e = { lastPk: 0, pairs: [] };
    if (e.pairs.length < count) {
      const rows = fetchAfter(e.lastPk);
      if (rows.length) {
        // a list once handed out never changes: a caller still holding it (its poll not yet
        // answered) keeps the pairs that match its counters; a grown list is a new one
        const pairs = e.pairs.slice();
        for (const [, id, number] of rows) pairs.push([id, number]);
        e.pairs = pairs;
        e.lastPk = rows[rows.length - 1][0];
      }
      this.size += rows.length;
    }
    this.entries.set(importPk, e);
    for (const [pk, old] of this.entries) {
      if ((this.size <= this.maxPairs && this.entries.size <= this.maxImports) || old === e) break;
      this.entries.delete(pk);
      this.size -= old.pairs.length;
    }
    return e.pairs;
  }

  /**
   * The same for a store read asynchronously: reads of one import may overlap, so rows another
   * read added meanwhile are not added twice, and no more pairs are returned than `count`.
   */
  async readAsync(importPk: number, count: number, fetchAfter: (afterPk: number) => Promise<Array<[number, string, string]>>): Promise<ImportedPair[]> {
    for (;;) {
      const before = this.entries.get(importPk);
      const from = before?.lastPk ?? 0;
      const rows = !before || before.pairs.length < count ? await fetchAfter(from) : [];
      const now = this.entries.get(importPk)?.lastPk ?? 0;
      if (now < from) continue; // dropped meanwhile: what was fetched starts too late
      const pairs = this.read(importPk, count, (after) => rows.filter((r) => r[0] > after));
      return pairs.length > count ? pairs.slice(0, count) : pairs;
    }
  }
}
