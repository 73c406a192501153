import type { DataSource } from 'typeorm';

export interface EvidenceUsage {
  readonly files: number;
  readonly bytes: number;
}

/**
 * Evidence files and their bytes across tenants, for the metrics scrape (apps/runtime/metrics.ts),
 * through the definer function evidence_bytes_stored (libs/evidence/sql): totals only. A sum of
 * the committed rows rather than a counter kept in memory: it is the same on every replica and
 * survives restarts (orphan files of a crashed upload are not counted: they have no row).
 */
export async function evidenceUsage(db: Pick<DataSource, 'query'>): Promise<EvidenceUsage> {
  const rows = await db.query<{ files: string; bytes: string }[]>('SELECT files, bytes FROM evidence_bytes_stored()');
  const row = rows[0];
  return { files: Number(row?.files ?? 0), bytes: Number(row?.bytes ?? 0) };
}
