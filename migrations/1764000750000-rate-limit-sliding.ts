import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sliding-window rate limits (libs/tenancy/rate-limit.service.ts): each counter row records its
 * window's length (housekeeping keeps a window while it is still the previous one) and when its
 * last hit was counted (growing delays between failed logins are measured from it). Rows from
 * before get a one-day window, the longest any default uses, so none is pruned too early.
 */
export class RateLimitSliding1764000750000 implements MigrationInterface {
  name = 'RateLimitSliding1764000750000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE rate_limit_hit
        ADD COLUMN window_seconds int NOT NULL DEFAULT 86400,
        ADD COLUMN last_hit_at timestamptz NOT NULL DEFAULT now()`);
    await q.query('ALTER TABLE rate_limit_hit ALTER COLUMN window_seconds DROP DEFAULT, ALTER COLUMN last_hit_at DROP DEFAULT');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE rate_limit_hit DROP COLUMN last_hit_at, DROP COLUMN window_seconds');
  }
}
