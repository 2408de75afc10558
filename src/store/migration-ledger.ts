/**
 * The record of applied schema steps. Each step's SQL is checksummed when applied; a released step
 * whose text later changed would leave databases that ran the old text and databases that ran the
 * new one with different schemas under the same version, so the service refuses to start instead.
 */
import { createHash } from 'node:crypto';

export interface Migration { version: number; name: string; sql: string }
/** `checksum` is null for a step applied before checksums were recorded. */
export interface AppliedMigration { version: number; checksum: string | null }

export class MigrationDriftError extends Error {}

export function checksumOf(m: Migration): string {
  return createHash('sha256').update(m.sql).digest('hex');
}

/**
 * What to do at start: the steps to apply, and the applied steps whose checksum is still to be
 * recorded (taken on trust from the code, once). Throws on a step changed or unknown.
 */
export function planMigrations(migrations: readonly Migration[], applied: readonly AppliedMigration[]): { pending: Migration[]; unrecorded: Migration[] } {
  const byVersion = new Map(migrations.map((m) => [m.version, m]));
  const unrecorded: Migration[] = [];
  for (const a of applied) {
    const m = byVersion.get(a.version);
    if (!m) {
      throw new MigrationDriftError(`the database has schema step ${a.version}, which this version of the service does not have: ` +
        'it was written by a newer version; run that one, or restore a backup taken before it');
    }
    if (a.checksum === null) unrecorded.push(m);
    else if (a.checksum !== checksumOf(m)) {
      throw new MigrationDriftError(`schema step ${m.version} ('${m.name}') differs from the one this database applied ` +
        `(checksum ${a.checksum.slice(0, 12)}…, the service's ${checksumOf(m).slice(0, 12)}…): a released step must never be edited; ` +
        'put the change in a new step');
    }
  }
  const done = new Set(applied.map((a) => a.version));
  return { pending: migrations.filter((m) => !done.has(m.version)), unrecorded };
}
