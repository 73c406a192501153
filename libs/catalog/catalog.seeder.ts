import type { DataSource } from 'typeorm';
import type { Logger } from '../core';
import { ActivityEntity, CatalogEntity, CatalogSectionEntity, CatalogVersionEntity } from './catalog.entities';
import type { CatalogDefinition } from './catalog.loader';

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
