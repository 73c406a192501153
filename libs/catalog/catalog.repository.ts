import { Inject, Injectable } from '@nestjs/common';
import { IsNull, type EntityManager } from 'typeorm';
import { queueJob, TenantDb } from '../db';
import { CATALOG_PUBLISHED_QUEUE, type CatalogPublishedJob } from './catalog-published';
import { ActivityEntity, CatalogEntity, CatalogSectionEntity, CatalogVersionEntity } from './catalog.entities';
import type { CatalogDefinition } from './catalog.loader';
import type { Phase, RaciMap } from './catalog.model';

/**
 * Which version of a catalog is `latest`, written once: the catalog the caller sees under that key
 * (its tenant's own before a global one: a private catalog is never hidden by a global catalog
 * published later under the same key), then the version stored last (`seq`, assigned at load).
 * Used by every read that picks a version (this repository, activity-reads.ts).
 */
export const LATEST_FIRST = 'c.tenant_id NULLS LAST, v.seq DESC';

/**
 * The catalogs a unit of work may read (`c` is the catalog): global ones and its tenant's. Row-level
 * security says the same for the app role; written out because every query filters explicitly, and
 * because the owner role (seeder, CLI) is not under the policies.
 */
export const VISIBLE_CATALOG = '(c.tenant_id IS NULL OR c.tenant_id = app_tenant_id())';

/** Read model of one version (VERSION_SQL). */
export interface VersionRow {
  id: string;
  key: string;
  name: string;
  provider: string;
  tenant_id: string | null;
  version: string;
  seq: number;
  published_on: string;
  source_title: string;
  source_url: string | null;
  publisher: string | null;
  license: string | null;
  retrieved_on: string | null;
  source_path: string | null;
  content_hash: string;
  parties: string[];
  loaded_at: Date;
}

/** Read model of an activity with its section (ACTIVITIES_SQL). */
export interface ActivityRow {
  section_key: string;
  section_title: string;
  section_phase: Phase;
  key: string;
  title: string;
  phase: Phase;
  cadence: string | null;
  raci: RaciMap;
  raw: string;
  certain: boolean;
  source: 'table' | 'reading';
  note: string | null;
  optional: boolean;
}

/** Read model of the catalog list: one row per version with its counts. */
export interface VersionCountRow {
  key: string;
  name: string;
  provider: string;
  tenant_id: string | null;
  version: string;
  seq: number;
  published_on: string;
  content_hash: string;
  source_url: string | null;
  publisher: string | null;
  license: string | null;
  retrieved_on: string | null;
  activities: number;
  duties: number;
}

const VERSION_COLUMNS = `v.id, c.key, c.name, c.provider, c.tenant_id, v.version, v.seq, v.published_on::text AS published_on, v.source_title,
              v.source_url, v.publisher, v.license, v.retrieved_on::text AS retrieved_on, v.source_path, v.content_hash, v.parties, v.loaded_at`;

/** One catalog version by key and version (`latest`: see LATEST_FIRST), as the caller sees it. */
export const VERSION_SQL = `SELECT ${VERSION_COLUMNS}
         FROM catalog c JOIN catalog_version v ON v.catalog_id = c.id
        WHERE c.key = $1 AND ($2 = 'latest' OR v.version = $2) AND ${VISIBLE_CATALOG}
        ORDER BY ${LATEST_FIRST}
        LIMIT 1`;

/** Its activities in section order. */
export const ACTIVITIES_SQL = `SELECT s.key AS section_key, s.title AS section_title, s.phase AS section_phase,
              a.key, a.title, a.phase, a.cadence, a.raci, a.raw, a.certain, a.source, a.note, a.optional
         FROM activity a JOIN catalog_section s ON s.id = a.section_id
        WHERE a.version_id = $1
        ORDER BY s.position, a.position`;

/** Where the repository finds its EntityManager: TenantDb in the apps, a bare one in the seeder. */
export interface EntityManagerSource {
  readonly em: EntityManager;
}

/**
 * The catalog aggregate (catalog, catalog_version, catalog_section, activity): every SQL statement
 * of libs/catalog outside the cross-lib reads of activity-reads.ts. Works through the caller's unit
 * of work (TenantDb.em): outside one, row-level security shows global catalogs only; inside a
 * tenant's, global catalogs and that tenant's private ones.
 */
@Injectable()
export class CatalogRepository {
  constructor(@Inject(TenantDb) private readonly db: EntityManagerSource) {}

  /** For code that holds an EntityManager of its own (the seeder, as the owner role). */
  static on(em: EntityManager): CatalogRepository {
    return new CatalogRepository({ em });
  }

  private get em(): EntityManager {
    return this.db.em;
  }

  /** Every visible version with its counts, catalogs by key, each catalog's latest version first. */
  versionCounts(key?: string): Promise<VersionCountRow[]> {
    return this.em.query<VersionCountRow[]>(
      `SELECT c.key, c.name, c.provider, c.tenant_id, v.version, v.seq, v.published_on::text AS published_on, v.content_hash,
              v.source_url, v.publisher, v.license, v.retrieved_on::text AS retrieved_on,
              count(a.id)::int AS activities, count(a.id) FILTER (WHERE a.customer_duty)::int AS duties
         FROM catalog c
         JOIN catalog_version v ON v.catalog_id = c.id
         LEFT JOIN activity a ON a.version_id = v.id
        WHERE ($1::text IS NULL OR c.key = $1) AND ${VISIBLE_CATALOG}
        GROUP BY c.id, v.id
        ORDER BY c.key, ${LATEST_FIRST}`,
      [key ?? null],
    );
  }

  async findVersion(key: string, version: string): Promise<VersionRow | null> {
    const [row] = await this.em.query<VersionRow[]>(VERSION_SQL, [key, version]);
    return row ?? null;
  }

  activities(versionId: string): Promise<ActivityRow[]> {
    return this.em.query<ActivityRow[]>(ACTIVITIES_SQL, [versionId]);
  }

  /** A stored version as a catalog definition (what the importer matches against, what diffs compare). */
  async definition(key: string, version: string): Promise<(CatalogDefinition & { readonly tenantId: string | null }) | null> {
    const v = await this.findVersion(key, version);
    if (!v) return null;
    const sections = await this.em.getRepository(CatalogSectionEntity).find({
      select: { key: true, title: true, phase: true },
      where: { versionId: v.id },
      order: { position: 'ASC' },
    });
    const rows = await this.activities(v.id);
    return {
      key: v.key,
      tenantId: v.tenant_id,
      name: v.name,
      provider: v.provider,
      version: v.version,
      publishedOn: v.published_on,
      sourceTitle: v.source_title,
      sourceUrl: v.source_url,
      attribution: { publisher: v.publisher, license: v.license, retrievedOn: v.retrieved_on, sourcePath: v.source_path },
      parties: v.parties,
      sections: sections.map((s) => ({ key: s.key, title: s.title, phase: s.phase })),
      activities: rows.map((r) => ({
        key: r.key,
        section: r.section_key,
        title: r.title,
        phase: r.phase,
        raci: r.raci,
        raw: r.raw,
        certain: r.certain,
        source: r.source,
        note: r.note,
        cadence: r.cadence as CatalogDefinition['activities'][number]['cadence'],
        optional: r.optional,
      })),
      contentHash: v.content_hash,
    };
  }

  /** True when a global catalog has this key (a tenant's private catalog may not take it). */
  async globalKeyExists(key: string): Promise<boolean> {
    return this.em.getRepository(CatalogEntity).exists({ where: { key, tenantId: IsNull() } });
  }

  /**
   * Stores a catalog version: the catalog row when it is new (global when tenantId is null, else
   * private to that tenant), then the version with the next `seq`, its sections and activities, all
   * carrying the catalog's tenant_id. `unchanged` when the version is stored with the same content,
   * `conflict` when with other content (versions are immutable). Run it in one transaction.
   * A version that is not the catalog's first queues a `catalog-published` job in that same
   * transaction (the admins of the tenants on an older version are mailed after commit).
   */
  async store(
    def: CatalogDefinition,
    tenantId: string | null,
    options: { readonly requestId?: string } = {},
  ): Promise<{ outcome: 'loaded' | 'unchanged' | 'conflict'; versionId: string }> {
    const catalogs = this.em.getRepository(CatalogEntity);
    let catalog = await catalogs.findOneBy({ key: def.key, tenantId: tenantId ?? IsNull() });
    if (!catalog) {
      catalog = await catalogs.save(catalogs.create({ key: def.key, name: def.name, provider: def.provider, tenantId }));
    } else if (tenantId === null && (catalog.name !== def.name || catalog.provider !== def.provider)) {
      // A global catalog's name follows its newest file (the seeder as the owner; tenants cannot update).
      await catalogs.update({ id: catalog.id }, { name: def.name, provider: def.provider });
    }
    const versions = this.em.getRepository(CatalogVersionEntity);
    const existing = await versions.findOneBy({ catalogId: catalog.id, version: def.version });
    if (existing) return { outcome: existing.contentHash === def.contentHash ? 'unchanged' : 'conflict', versionId: existing.id };
    // Two loads of the same catalog at once: the second fails on catalog_version_seq_unique (or
    // catalog_version_unique) and its transaction rolls back; never two versions with one seq.
    const last = await versions.maximum('seq', { catalogId: catalog.id });
    const version = await versions.save(
      versions.create({
        catalogId: catalog.id,
        version: def.version,
        seq: (last ?? 0) + 1,
        publishedOn: def.publishedOn,
        sourceTitle: def.sourceTitle,
        sourceUrl: def.sourceUrl,
        publisher: def.attribution.publisher,
        license: def.attribution.license,
        retrievedOn: def.attribution.retrievedOn,
        sourcePath: def.attribution.sourcePath,
        contentHash: def.contentHash,
        parties: [...def.parties],
        tenantId,
      }),
    );
    const sectionRepo = this.em.getRepository(CatalogSectionEntity);
    const sections = await sectionRepo.save(
      def.sections.map((s, position) =>
        sectionRepo.create({ versionId: version.id, key: s.key, title: s.title, phase: s.phase, position, tenantId }),
      ),
    );
    const sectionIds = new Map(sections.map((s) => [s.key, s.id]));
    await this.em.insert(
      ActivityEntity,
      def.activities.map((a, position) => ({
        versionId: version.id,
        sectionId: sectionIds.get(a.section) as string,
        key: a.key,
        position,
        title: a.title,
        phase: a.phase,
        raci: a.raci,
        raw: a.raw,
        certain: a.certain,
        source: a.source,
        note: a.note,
        cadence: a.cadence,
        optional: a.optional,
        tenantId,
      })),
    );
    if (last !== null) {
      // The transaction's time: subscriptions made after it chose their version knowing this one.
      const [{ now }] = await this.em.query<[{ now: Date }]>('SELECT now() AS now');
      const job: CatalogPublishedJob = { catalogId: catalog.id, versionId: version.id, tenantId, publishedAt: now.toISOString() };
      await queueJob(this.em, CATALOG_PUBLISHED_QUEUE, job, { requestId: options.requestId ?? null });
    }
    return { outcome: 'loaded', versionId: version.id };
  }

  /**
   * Attribution is not content: a version loaded before its file recorded it gets it now. What is
   * already recorded is never overwritten. (Global catalogs: the seeder, as the owner.)
   */
  async fillAttribution(versionId: string, a: CatalogDefinition['attribution']): Promise<void> {
    await this.em.query(
      `UPDATE catalog_version
          SET publisher = coalesce(publisher, $2), license = coalesce(license, $3),
              retrieved_on = coalesce(retrieved_on, $4::date), source_path = coalesce(source_path, $5)
        WHERE id = $1
          AND ((publisher IS NULL AND $2::text IS NOT NULL) OR (license IS NULL AND $3::text IS NOT NULL)
            OR (retrieved_on IS NULL AND $4::date IS NOT NULL) OR (source_path IS NULL AND $5::text IS NOT NULL))`,
      [versionId, a.publisher, a.license, a.retrievedOn, a.sourcePath],
    );
  }
}
