import type { DataSource } from 'typeorm';
import type { Logger } from '../core';
import { ActivityEntity, CatalogEntity, CatalogSectionEntity, CatalogVersionEntity } from './catalog.entities';
import type { ActivityDefinition, CatalogDefinition } from './catalog.loader';
import type { Phase } from './catalog.model';

export interface SeedResult {
  readonly loaded: string[];
  readonly unchanged: string[];
  /** Versions already loaded with other content: kept as they are (a version is immutable). */
  readonly conflicts: string[];
}

/**
 * Loads catalog versions that are not in the database yet. Idempotent: a version already
 * present with the same content hash is left alone, so restarts never duplicate anything.
 */
export async function seedCatalogs(ds: DataSource, catalogs: readonly CatalogDefinition[], logger: Logger): Promise<SeedResult> {
  const result: SeedResult = { loaded: [], unchanged: [], conflicts: [] };
  for (const def of catalogs) {
    const id = `${def.key}@${def.version}`;
    await ds.transaction(async (em) => {
      await em.query(
        `INSERT INTO catalog (key, name, provider) VALUES ($1, $2, $3)
         ON CONFLICT (key) DO UPDATE SET name = EXCLUDED.name, provider = EXCLUDED.provider`,
        [def.key, def.name, def.provider],
      );
      const catalog = await em.findOneByOrFail(CatalogEntity, { key: def.key });
      const existing = await em.findOneBy(CatalogVersionEntity, { catalogId: catalog.id, version: def.version });
      if (existing) {
        if (existing.contentHash === def.contentHash) {
          result.unchanged.push(id);
          // Attribution is not content: a version loaded before its file recorded it gets it now.
          // What is already recorded is never overwritten.
          const a = def.attribution;
          await em.query(
            `UPDATE catalog_version
                SET publisher = coalesce(publisher, $2), license = coalesce(license, $3),
                    retrieved_on = coalesce(retrieved_on, $4::date), source_path = coalesce(source_path, $5)
              WHERE id = $1
                AND ((publisher IS NULL AND $2::text IS NOT NULL) OR (license IS NULL AND $3::text IS NOT NULL)
                  OR (retrieved_on IS NULL AND $4::date IS NOT NULL) OR (source_path IS NULL AND $5::text IS NOT NULL))`,
            [existing.id, a.publisher, a.license, a.retrievedOn, a.sourcePath],
          );
        } else {
          result.conflicts.push(id);
          logger.warn(
            { catalog: id, loaded: existing.contentHash, file: def.contentHash },
            `catalog ${id} is already loaded with other content; versions are immutable, so the file's changes were not applied. Give the file a new "version" to publish them.`,
          );
        }
        return;
      }
      const version = await em.save(
        em.create(CatalogVersionEntity, {
          catalogId: catalog.id,
          version: def.version,
          publishedOn: def.publishedOn,
          sourceTitle: def.sourceTitle,
          sourceUrl: def.sourceUrl,
          publisher: def.attribution.publisher,
          license: def.attribution.license,
          retrievedOn: def.attribution.retrievedOn,
          sourcePath: def.attribution.sourcePath,
          contentHash: def.contentHash,
          parties: [...def.parties],
        }),
      );
      const sections = await em.save(
        def.sections.map((s, position) =>
          em.create(CatalogSectionEntity, { versionId: version.id, key: s.key, title: s.title, phase: s.phase, position }),
        ),
      );
      const sectionIds = new Map(sections.map((s) => [s.key, s.id]));
      await em.insert(
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
        })),
      );
      result.loaded.push(id);
      logger.info({ catalog: id, activities: def.activities.length }, `catalog ${id} loaded`);
    });
  }
  return result;
}

/**
 * The newest loaded version of a catalog as a definition (what the importer matches a new
 * source against to keep its keys), or null when the catalog is not loaded.
 */
export async function loadedCatalog(ds: DataSource, key: string): Promise<CatalogDefinition | null> {
  const [v] = await ds.query<
    {
      id: string;
      name: string;
      provider: string;
      version: string;
      published_on: string;
      source_title: string;
      source_url: string | null;
      publisher: string | null;
      license: string | null;
      retrieved_on: string | null;
      source_path: string | null;
      content_hash: string;
      parties: string[];
    }[]
  >(
    `SELECT v.id, c.name, c.provider, v.version, v.published_on::text AS published_on, v.source_title, v.source_url, v.publisher,
            v.license, v.retrieved_on::text AS retrieved_on, v.source_path, v.content_hash, v.parties
       FROM catalog c JOIN catalog_version v ON v.catalog_id = c.id
      WHERE c.key = $1
      ORDER BY v.published_on DESC, v.version DESC
      LIMIT 1`,
    [key],
  );
  if (!v) return null;
  const sections = await ds.query<{ key: string; title: string; phase: Phase }[]>(
    'SELECT key, title, phase FROM catalog_section WHERE version_id = $1 ORDER BY position',
    [v.id],
  );
  const activities = await ds.query<(Omit<ActivityDefinition, 'section'> & { section: string })[]>(
    `SELECT a.key, s.key AS section, a.title, a.phase, a.raci, a.raw, a.certain, a.source, a.note, a.cadence, a.optional
       FROM activity a JOIN catalog_section s ON s.id = a.section_id
      WHERE a.version_id = $1
      ORDER BY a.position`,
    [v.id],
  );
  return {
    key,
    name: v.name,
    provider: v.provider,
    version: v.version,
    publishedOn: v.published_on,
    sourceTitle: v.source_title,
    sourceUrl: v.source_url,
    attribution: { publisher: v.publisher, license: v.license, retrievedOn: v.retrieved_on, sourcePath: v.source_path },
    parties: v.parties,
    sections,
    activities,
    contentHash: v.content_hash,
  };
}
