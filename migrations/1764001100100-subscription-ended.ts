import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An admin ends a subscription (POST /tenants/:id/subscriptions/:id/end): the row stays, with
 * when and by whom, so its tasks (withdrawn, with their evidence and history) keep their duty.
 */
export class SubscriptionEnded1764001100100 implements MigrationInterface {
  name = 'SubscriptionEnded1764001100100';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE subscription ADD COLUMN ended_at timestamptz, ADD COLUMN ended_by uuid');
    await q.query(
      'ALTER TABLE subscription ADD CONSTRAINT subscription_ended_by_fkey FOREIGN KEY (ended_by) REFERENCES app_user(id) ON DELETE NO ACTION ON UPDATE NO ACTION',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE subscription DROP CONSTRAINT subscription_ended_by_fkey');
    await q.query('ALTER TABLE subscription DROP COLUMN ended_by, DROP COLUMN ended_at');
  }
}
