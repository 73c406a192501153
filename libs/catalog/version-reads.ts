import type { EntityManager } from 'typeorm';
import type { DiffableCatalog } from './import/activity-match';
import type { Cadence, Phase, RaciMap } from './catalog.model';

/**
 * Catalog reads for upgrades and for the task list's catalog filters, made by other libs (tasks)
 * in their own unit of work: each takes the caller's EntityManager (see activity-reads.ts).
 */

/**
 * Which of two versions of a catalog is newer: the one loaded later, `seq` (oldest first). A version
 * is a reading of a provider's page: the later reading is the newer one, even when the page's own
 * date is earlier (the corrected Private Exchange catalog is dated 2024-06-25, the first reading
 * 2024-06-26). `seq` is assigned at load (CatalogRepository.store; the seeder loads new versions by
 * retrieval date), so this order and `latest` (LATEST_FIRST, catalog.repository.ts) are one rule.
 */
export const VERSION_RECENCY_ORDER = 'v.seq';

/** One version of a catalog, with its rank among the catalog's versions (0 = oldest). */
export interface RankedVersion {
  readonly id: string;
  readonly catalogId: string;
  readonly catalogKey: string;
  readonly version: string;
  readonly publishedOn: string;
  readonly rank: number;
}

/** Every version of a catalog, oldest first (VERSION_RECENCY_ORDER). */
export async function versionsByRecency(em: EntityManager, catalogId: string): Promise<RankedVersion[]> {
  const rows = await em.query<(Omit<RankedVersion, 'rank'> & { rank: string })[]>(
    `SELECT v.id, v.catalog_id AS "catalogId", c.key AS "catalogKey", v.version, v.published_on::text AS "publishedOn",
            row_number() OVER (ORDER BY ${VERSION_RECENCY_ORDER}) - 1 AS rank
       FROM catalog c JOIN catalog_version v ON v.catalog_id = c.id
      WHERE c.id = $1
      ORDER BY rank`,
    [catalogId],
  );
  return rows.map((r) => ({ ...r, rank: Number(r.rank) }));
}

/** An activity of a version, as an upgrade compares it with its counterpart in another version. */
export interface VersionActivity {
  readonly id: string;
  readonly key: string;
  readonly section: string;
  readonly title: string;
  readonly phase: Phase;
  readonly cadence: Cadence | null;
  readonly raci: RaciMap;
  readonly customerDuty: boolean;
}

/** A version's activities and sections, in catalog order: what diffCatalogs compares, with the ids. */
export interface VersionContent extends DiffableCatalog {
  readonly activities: readonly VersionActivity[];
}

export async function versionContent(em: EntityManager, versionId: string): Promise<VersionContent> {
  const [version] = await em.query<{ parties: string[] }[]>('SELECT parties FROM catalog_version WHERE id = $1', [versionId]);
  const sections = await em.query<{ key: string; title: string }[]>(
    'SELECT key, title FROM catalog_section WHERE version_id = $1 ORDER BY position',
    [versionId],
  );
  const activities = await em.query<VersionActivity[]>(
    `SELECT a.id, a.key, s.key AS section, a.title, a.phase, a.cadence, a.raci, a.customer_duty AS "customerDuty"
       FROM activity a JOIN catalog_section s ON s.id = a.section_id
      WHERE a.version_id = $1 ORDER BY a.position`,
    [versionId],
  );
  return { parties: version?.parties ?? [], sections, activities };
}

/**
 * The ids of the catalogs (visible to the caller) with this key and/or this provider (provider
 * compared without case): the task list filters on them.
 */
export async function catalogIdsMatching(em: EntityManager, filter: { key?: string; provider?: string }): Promise<string[]> {
  const rows = await em.query<{ id: string }[]>(
    `SELECT c.id FROM catalog c
      WHERE ($1::text IS NULL OR c.key = $1) AND ($2::text IS NULL OR lower(c.provider) = lower($2))`,
    [filter.key ?? null, filter.provider ?? null],
  );
  return rows.map((r) => r.id);
}
