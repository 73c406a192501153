import type { EntityManager } from 'typeorm';
import type { Cadence, Phase, RaciMap } from './catalog.model';
import { LATEST_FIRST, VISIBLE_CATALOG } from './catalog.repository';

/**
 * Catalog reads that other libs (tasks) make inside their own unit of work: each takes the
 * caller's EntityManager, so it runs in the caller's transaction and row-level-security scope
 * (libs/catalog sits beside libs/db and does not know TenantDb).
 *
 * `activity_card` is the catalog's read model of an activity: its fields with its section's key.
 * The view is the catalog's; other libs join it in their own SQL (Postgres inlines it, so a task
 * list joining it plans exactly as a join of activity and catalog_section). Its definition lives
 * here and migrations apply it (`security_invoker`: the caller's row-level security applies).
 */
export const ACTIVITY_CARD_VIEW = `
  CREATE OR REPLACE VIEW activity_card WITH (security_invoker = true) AS
  SELECT a.id, a.version_id, a.key, a.position, a.title, sec.key AS section, a.phase, a.cadence, a.optional,
         a.raci, a.raw, a.certain, a.note, a.customer_duty
    FROM activity a JOIN catalog_section sec ON sec.id = a.section_id`;

/** A catalog version as another lib refers to it. */
export interface VersionRef {
  readonly id: string;
  readonly catalogId: string;
  readonly catalogKey: string;
  readonly version: string;
}

/** A customer duty of a version: what the task schedule needs. */
export interface DutyRef {
  readonly activityId: string;
  readonly phase: Phase;
  readonly cadence: Cadence;
}

/** A provider duty the customer is consulted or informed about. */
export interface ProviderCommitment {
  readonly key: string;
  readonly title: string;
  readonly section: string;
  readonly phase: Phase;
  readonly raci: RaciMap;
  readonly raw: string;
  readonly certain: boolean;
  readonly note: string | null;
}

const VERSION_REF = `SELECT v.id, v.catalog_id AS "catalogId", c.key AS "catalogKey", v.version
  FROM catalog c JOIN catalog_version v ON v.catalog_id = c.id`;

/** The version `version` of a catalog, or its latest (the one stored last, LATEST_FIRST) when none is given. */
export async function findCatalogVersion(em: EntityManager, catalogKey: string, version?: string): Promise<VersionRef | null> {
  const [row] = await em.query<VersionRef[]>(
    `${VERSION_REF} WHERE c.key = $1 AND ($2::text IS NULL OR v.version = $2) AND ${VISIBLE_CATALOG} ORDER BY ${LATEST_FIRST} LIMIT 1`,
    [catalogKey, version ?? null],
  );
  return row ?? null;
}

/** Versions by id (subscriptions name theirs by catalog key and version). */
export async function catalogVersionsById(em: EntityManager, ids: readonly string[]): Promise<Map<string, VersionRef>> {
  if (ids.length === 0) return new Map();
  const rows = await em.query<VersionRef[]>(`${VERSION_REF} WHERE v.id = ANY($1::uuid[])`, [[...new Set(ids)]]);
  return new Map(rows.map((r) => [r.id, r]));
}

/** The customer duties of a version, in catalog order. */
export async function customerDuties(em: EntityManager, versionId: string): Promise<DutyRef[]> {
  return em.query<DutyRef[]>(
    'SELECT id AS "activityId", phase, cadence FROM activity WHERE version_id = $1 AND customer_duty ORDER BY position',
    [versionId],
  );
}

/** Activities by id: phase and cadence (the schedule of tasks waiting for their phase). */
export async function dutiesById(em: EntityManager, ids: readonly string[]): Promise<Map<string, DutyRef>> {
  if (ids.length === 0) return new Map();
  const rows = await em.query<DutyRef[]>('SELECT id AS "activityId", phase, cadence FROM activity WHERE id = ANY($1::uuid[])', [
    [...new Set(ids)],
  ]);
  return new Map(rows.map((r) => [r.activityId, r]));
}

/** Provider duties of a version where the customer is Consulted or Informed, in catalog order. */
export async function providerCommitments(em: EntityManager, versionId: string): Promise<ProviderCommitment[]> {
  return em.query<ProviderCommitment[]>(
    `SELECT a.key, a.title, s.key AS section, a.phase, a.raci, a.raw, a.certain, a.note
       FROM activity a JOIN catalog_section s ON s.id = a.section_id
      WHERE a.version_id = $1 AND NOT a.customer_duty AND (a.raci->>'customer') ~ '[CI]'
      ORDER BY a.position`,
    [versionId],
  );
}
