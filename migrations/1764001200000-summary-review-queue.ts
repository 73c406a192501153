import type { MigrationInterface, QueryRunner } from 'typeorm';
import { applyFunctionSource } from './function-source';
import { grantToApp } from './grants';

/**
 * The dashboard summary and the review queue (issue 10; docs/tasks.md, "Summary" and "Review queue").
 *
 * - Indexes led by tenant_id, so both read a tenant's own rows whatever the tables hold:
 *   `task_tenant_completed_idx` (the summary's weekly completions), `review_tenant_decided_idx`
 *   (its weekly approvals and rejections), `task_tenant_waiting_idx` (the tasks waiting for review
 *   of each tenant of the queue, oldest first).
 * - `tasks_review_queue`, a definer function keyed by app_user_id(), and the read policy that
 *   honours its definer scope on task; `tenant_names`, libs/tenancy's door to tenant names.
 */
export class SummaryReviewQueue1764001200000 implements MigrationInterface {
  name = 'SummaryReviewQueue1764001200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX task_tenant_completed_idx ON task (tenant_id, completed_at) WHERE completed_at IS NOT NULL');
    await q.query('CREATE INDEX review_tenant_decided_idx ON review (tenant_id, created_at)');
    await q.query(`CREATE INDEX task_tenant_waiting_idx ON task (tenant_id, completed_at, id) WHERE status = 'done'`);

    // The review queue's definer scope: read, this table only (libs/tasks/sql/tasks_review_queue.sql).
    await q.query(`CREATE POLICY via_tasks_review_read ON task FOR SELECT USING ((SELECT app_definer_scope('tasks_review')))`);
    await applyFunctionSource(q, 'tenancy', 'tenant_names');
    await grantToApp(q, 'EXECUTE', 'FUNCTION tenant_names()');
    await applyFunctionSource(q, 'tasks', 'tasks_review_queue');
    await q.query('REVOKE ALL ON FUNCTION tasks_review_queue(timestamptz, uuid, integer) FROM PUBLIC');
    await grantToApp(q, 'EXECUTE', 'FUNCTION tasks_review_queue(timestamptz, uuid, integer)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION IF EXISTS tasks_review_queue(timestamptz, uuid, integer)');
    await q.query('DROP FUNCTION IF EXISTS tenant_names()');
    await q.query('DROP POLICY IF EXISTS via_tasks_review_read ON task');
    await q.query('DROP INDEX IF EXISTS task_tenant_waiting_idx');
    await q.query('DROP INDEX IF EXISTS review_tenant_decided_idx');
    await q.query('DROP INDEX IF EXISTS task_tenant_completed_idx');
  }
}
