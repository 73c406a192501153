import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `task.catalog_change`: set by a catalog upgrade on a task it kept whose duty's title or letters
 * changed, with each field's before and after (libs/tasks/catalog-upgrade.service.ts); the task
 * view shows it. Null for every other task. The app role's rights on `task` cover the column.
 */
export class TaskCatalogChange1764000650000 implements MigrationInterface {
  name = 'TaskCatalogChange1764000650000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE task ADD COLUMN catalog_change jsonb');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE task DROP COLUMN catalog_change');
  }
}
