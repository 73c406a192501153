import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Attribution of each catalog version: who published the source, under which licence, when it
 * was retrieved, and the copy of it in the repository. Nullable: versions loaded before this
 * migration get theirs from their seed file on the next seed (the seeder fills what is missing).
 */
export class CatalogAttribution1764000200200 implements MigrationInterface {
  name = 'CatalogAttribution1764000200200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE catalog_version
        ADD COLUMN publisher text,
        ADD COLUMN license text,
        ADD COLUMN retrieved_on date,
        ADD COLUMN source_path text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE catalog_version
        DROP COLUMN source_path,
        DROP COLUMN retrieved_on,
        DROP COLUMN license,
        DROP COLUMN publisher`);
  }
}
