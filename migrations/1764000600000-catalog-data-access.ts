import type { MigrationInterface, QueryRunner } from 'typeorm';
import { grantToApp } from './grants';

const CATALOG_TABLES = ['catalog', 'catalog_version', 'catalog_section', 'activity'] as const;

/**
 * Catalogs on the data-access conventions, version order, and tenant-private catalogs
 * (docs/catalog-format.md, docs/catalog-import.md, docs/security.md).
 *
 * - activity.customer_duty is a generated column: TypeORM keeps the expression of generated
 *   columns in typeorm_metadata, where the first migration did not record it.
 * - catalog_version.seq: the order in which a catalog's versions were stored, 1, 2, ...; the
 *   highest is `latest`. Publication dates do not order them: the corrected Private Exchange
 *   catalog is read from the page dated 2024-06-25, the first reading says 2024-06-26. Existing
 *   versions are numbered by the rule the seeder now loads new ones with: by retrieval date (a
 *   version without one is an earlier reading), then load time, publication date and version.
 * - tenant_id on the four tables (NULL: global catalog). Row-level security shows the app role
 *   global rows plus its tenant's, and lets it insert only its tenant's (the tenant import
 *   endpoint). The owner role (migrations, seeder, CLI) is not forced under the policies: it
 *   loads global catalogs, and private ones for a tenant with `catalog:import --tenant`.
 * - The key is unique among global catalogs and within a tenant's private ones.
 */
export class CatalogDataAccess1764000600000 implements MigrationInterface {
  name = 'CatalogDataAccess1764000600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `INSERT INTO typeorm_metadata ("type", "database", "schema", "table", "name", "value")
       VALUES ('GENERATED_COLUMN', current_database(), current_schema(), 'activity', 'customer_duty', $1)`,
      [CUSTOMER_DUTY_EXPRESSION],
    );

    await q.query('ALTER TABLE catalog_version ADD COLUMN seq int');
    await q.query(`
      UPDATE catalog_version v SET seq = o.seq
        FROM (SELECT id, row_number() OVER (PARTITION BY catalog_id
                                            ORDER BY retrieved_on NULLS FIRST, loaded_at, published_on, version)::int AS seq
                FROM catalog_version) o
       WHERE o.id = v.id`);
    await q.query('ALTER TABLE catalog_version ALTER COLUMN seq SET NOT NULL');
    await q.query('ALTER TABLE catalog_version ADD CONSTRAINT catalog_version_seq_unique UNIQUE (catalog_id, seq)');

    await q.query(
      'ALTER TABLE catalog ADD COLUMN tenant_id uuid CONSTRAINT catalog_tenant_id_fkey REFERENCES tenant (id) ON DELETE CASCADE',
    );
    for (const table of ['catalog_version', 'catalog_section', 'activity']) await q.query(`ALTER TABLE ${table} ADD COLUMN tenant_id uuid`);
    await q.query('ALTER TABLE catalog DROP CONSTRAINT catalog_key_unique');
    await q.query('CREATE UNIQUE INDEX catalog_global_key_unique ON catalog (key) WHERE tenant_id IS NULL');
    await q.query('CREATE UNIQUE INDEX catalog_tenant_key_unique ON catalog (tenant_id, key) WHERE tenant_id IS NOT NULL');

    for (const table of CATALOG_TABLES) {
      // ENABLE without FORCE: the owner (seeder, CLI) writes global catalogs; the app role cannot.
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY ${table}_visible ON ${table} FOR SELECT USING (tenant_id IS NULL OR tenant_id = app_tenant_id())`);
      await q.query(`CREATE POLICY ${table}_private_insert ON ${table} FOR INSERT WITH CHECK (tenant_id = app_tenant_id())`);
    }
    await grantToApp(q, 'INSERT', CATALOG_TABLES.join(', '));
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of CATALOG_TABLES) {
      await q.query(`DROP POLICY ${table}_private_insert ON ${table}`);
      await q.query(`DROP POLICY ${table}_visible ON ${table}`);
      await q.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
    }
    // Private catalogs have no place in the schema without tenant_id.
    await q.query('DELETE FROM catalog WHERE tenant_id IS NOT NULL');
    await q.query('DROP INDEX catalog_tenant_key_unique');
    await q.query('DROP INDEX catalog_global_key_unique');
    await q.query('ALTER TABLE catalog ADD CONSTRAINT catalog_key_unique UNIQUE (key)');
    for (const table of CATALOG_TABLES) await q.query(`ALTER TABLE ${table} DROP COLUMN tenant_id`);
    await q.query('ALTER TABLE catalog_version DROP COLUMN seq');
    await q.query(
      `DELETE FROM typeorm_metadata WHERE "type" = 'GENERATED_COLUMN' AND "table" = 'activity' AND "name" = 'customer_duty' AND "schema" = current_schema()`,
    );
  }
}

/** As ActivityEntity declares it (TypeORM compares the text); migrations do not import libs. */
export const CUSTOMER_DUTY_EXPRESSION = `(raci->>'customer') ~ '[RA]'`;
