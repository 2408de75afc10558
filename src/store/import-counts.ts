/** The metrics' view of the imports table, the same statement on both stores. */
export interface ImportCountRow { status: string; n: number | string; waiting: number | string | null }

export const importCountsSql = `SELECT status, count(*) AS n,
  sum(CASE WHEN status IN ('Queued', 'Importing') THEN total_reports - imported_reports ELSE 0 END) AS waiting
  FROM imports GROUP BY status`;

export function importCountsOf(rows: ImportCountRow[]): { byStatus: Record<string, number>; waitingReports: number } {
  const byStatus: Record<string, number> = {};
  let waitingReports = 0;
  for (const r of rows) {
    byStatus[r.status] = Number(r.n);
    waitingReports += Math.max(0, Number(r.waiting ?? 0));
  }
  return { byStatus, waitingReports };
}
