import type { MigrationInterface, QueryRunner } from 'typeorm';
import { ACTIVITY_CARD_VIEW } from '../libs/catalog';
import { grantToApp } from './grants';

/**
 * `activity_card`, the catalog's read model of an activity with its section key
 * (libs/catalog/activity-reads.ts), which the task list and detail join instead of naming the
 * catalog's tables (docs/data-access.md).
 */
export class ActivityCard1764000200100 implements MigrationInterface {
  name = 'ActivityCard1764000200100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(ACTIVITY_CARD_VIEW);
    await grantToApp(q, 'SELECT', 'activity_card');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP VIEW activity_card');
  }
}
