import path from 'node:path';
import { loadCatalogDir, seedCatalogs, type CatalogDefinition, type SeedResult } from '../../libs/catalog';
import { projectRoot, type AppConfig, type Logger } from '../../libs/core';
import { createDataSource, installJobQueue, runMigrations, withSchemaLock, type DatabaseTarget } from '../../libs/db';
import { ALL_QUEUES } from '../worker/queues';
import { SCHEMA } from './schema';

export const CATALOG_DIR = (): string => path.join(projectRoot(), 'seeds', 'catalogs');

/** Applies migrations, then installs pg-boss's schema and our queues, as the owner role. */
export async function migrate(target: DatabaseTarget, logger: Logger): Promise<string[]> {
  const applied = await runMigrations(
    { url: target.ownerUrl, poolSize: 2, applicationName: 'dutybook-migrate', appRole: target.appRole },
    SCHEMA,
    logger,
  );
  if (applied.length > 0) logger.info({ applied }, `applied ${applied.length} migration(s)`);
  await installJobQueue(target.ownerUrl, target.appRole, ALL_QUEUES, logger);
  return applied;
}

/** Loads the catalog files into the database (idempotent) as the owner role. */
export async function seed(target: DatabaseTarget, logger: Logger, dir = CATALOG_DIR()): Promise<SeedResult> {
  return loadCatalogs(target, logger, loadCatalogDir(dir));
}

/**
 * Loads validated catalog versions (the seed files', or one the CLI imported) as the owner role:
 * global ones, or with `tenantId` private ones of that tenant (`catalog:import --tenant`).
 */
export async function loadCatalogs(
  target: DatabaseTarget,
  logger: Logger,
  catalogs: readonly CatalogDefinition[],
  tenantId: string | null = null,
): Promise<SeedResult> {
  const ds = createDataSource({ url: target.ownerUrl, poolSize: 2, applicationName: 'dutybook-seed' }, SCHEMA, logger);
  await ds.initialize();
  try {
    return await withSchemaLock(ds, () => seedCatalogs(ds, catalogs, logger, tenantId));
  } finally {
    await ds.destroy();
  }
}

/** What start-up does before serving: migrate and seed, each when configured. */
export async function prepareDatabase(config: AppConfig, target: DatabaseTarget, logger: Logger): Promise<void> {
  if (config.migrateOnStart) await migrate(target, logger);
  if (config.seedOnStart) await seed(target, logger);
}
