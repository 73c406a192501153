import type { DataSource } from 'typeorm';
import type { Logger } from '../core';
import type { CatalogDefinition } from './catalog.loader';
import { CatalogRepository } from './catalog.repository';

export interface SeedResult {
  readonly loaded: string[];
  readonly unchanged: string[];
  /** Versions already loaded with other content: kept as they are (a version is immutable). */
  readonly conflicts: string[];
}

/**
 * The order in which new versions of one catalog are loaded, and so their `seq` (the last loaded is
 * `latest`): by retrieval date, when the source was read (a file without one is an earlier
 * reading), then publication date and version. Catalogs keep the order they were given in.
 */
export function loadOrder(catalogs: readonly CatalogDefinition[]): CatalogDefinition[] {
  const firstIndex = new Map<string, number>();
  catalogs.forEach((c, i) => firstIndex.has(c.key) || firstIndex.set(c.key, i));
  const retrieved = (c: CatalogDefinition): string => c.attribution.retrievedOn ?? '';
  return [...catalogs].sort(
    (a, b) =>
      (firstIndex.get(a.key) as number) - (firstIndex.get(b.key) as number) ||
      retrieved(a).localeCompare(retrieved(b)) ||
      a.publishedOn.localeCompare(b.publishedOn) ||
      a.version.localeCompare(b.version),
  );
}

/**
 * Loads global catalog versions that are not in the database yet (as the owner role). Idempotent:
 * a version already present with the same content hash is left alone, so restarts never duplicate
 * anything. `tenantId`: load them as private catalogs of that tenant instead (`catalog:import --tenant`).
 */
export async function seedCatalogs(
  ds: DataSource,
  catalogs: readonly CatalogDefinition[],
  logger: Logger,
  tenantId: string | null = null,
): Promise<SeedResult> {
  const result: SeedResult = { loaded: [], unchanged: [], conflicts: [] };
  for (const def of loadOrder(catalogs)) {
    const id = `${def.key}@${def.version}`;
    await ds.transaction(async (em) => {
      const repo = CatalogRepository.on(em);
      const { outcome, versionId } = await repo.store(def, tenantId);
      if (outcome === 'unchanged') {
        result.unchanged.push(id);
        await repo.fillAttribution(versionId, def.attribution);
      } else if (outcome === 'conflict') {
        result.conflicts.push(id);
        logger.warn(
          { catalog: id, file: def.contentHash },
          `catalog ${id} is already loaded with other content; versions are immutable, so the file's changes were not applied. Give the file a new "version" to publish them.`,
        );
      } else {
        result.loaded.push(id);
        logger.info({ catalog: id, activities: def.activities.length, ...(tenantId ? { tenantId } : {}) }, `catalog ${id} loaded`);
      }
    });
  }
  return result;
}

/**
 * The latest loaded version of a catalog as a definition (what the importer matches a new source
 * against to keep its keys), or null when the catalog is not loaded. Through `ds` as it is scoped:
 * as the app role outside a tenant, global catalogs only.
 */
export async function loadedCatalog(ds: DataSource, key: string): Promise<CatalogDefinition | null> {
  return CatalogRepository.on(ds.manager).definition(key, 'latest');
}
