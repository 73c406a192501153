import type { MigrationInterface, QueryRunner } from 'typeorm';
import { grantToApp } from './grants';

/** Subscriptions to catalog versions, tasks (one per occurrence of a customer duty), reviews. */
export class Tasks1764000002000 implements MigrationInterface {
  name = 'Tasks1764000002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE subscription (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
        catalog_id uuid NOT NULL REFERENCES catalog (id),
        catalog_version_id uuid NOT NULL REFERENCES catalog_version (id),
        phase text NOT NULL CONSTRAINT subscription_phase CHECK (phase IN ('before_subscription', 'setup', 'operations', 'reversibility', 'end_of_service')),
        starts_on date NOT NULL,
        timezone text NOT NULL,
        -- The date each phase started, keyed by phase: the anchor of its duties' schedules.
        phase_started_on jsonb NOT NULL,
        created_by uuid NOT NULL REFERENCES app_user (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT subscription_one_per_catalog UNIQUE (tenant_id, catalog_id),
        CONSTRAINT subscription_tenant_id_unique UNIQUE (tenant_id, id)
      )`);
    await q.query(`
      CREATE TABLE task (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        subscription_id uuid NOT NULL,
        activity_id uuid NOT NULL REFERENCES activity (id),
        period_start date NOT NULL,
        period_end date,
        due_date date,
        status text NOT NULL DEFAULT 'todo'
          CONSTRAINT task_status CHECK (status IN ('todo', 'in_progress', 'done', 'approved', 'rejected', 'not_applicable')),
        assignee_id uuid REFERENCES app_user (id),
        not_applicable_reason text,
        evidence_count int NOT NULL DEFAULT 0,
        last_evidence_at timestamptz,
        reviewed_at timestamptz,
        completed_at timestamptz,
        completed_by uuid REFERENCES app_user (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT task_occurrence_unique UNIQUE (tenant_id, subscription_id, activity_id, period_start),
        CONSTRAINT task_subscription_fk FOREIGN KEY (tenant_id, subscription_id) REFERENCES subscription (tenant_id, id) ON DELETE CASCADE,
        CONSTRAINT task_na_reason CHECK (status <> 'not_applicable' OR not_applicable_reason IS NOT NULL),
        CONSTRAINT task_period CHECK (period_end IS NULL OR period_end >= period_start)
      )`);
    // The task list: a tenant's open tasks by due date (the overdue filter walks this index).
    await q.query('CREATE INDEX task_tenant_due_idx ON task (tenant_id, due_date, id)');
    await q.query(
      `CREATE INDEX task_tenant_open_due_idx ON task (tenant_id, due_date, id) WHERE status IN ('todo', 'in_progress', 'rejected')`,
    );
    await q.query('CREATE INDEX task_tenant_assignee_idx ON task (tenant_id, assignee_id, due_date)');
    await q.query(`
      CREATE TABLE review (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        task_id uuid NOT NULL REFERENCES task (id) ON DELETE CASCADE,
        reviewer_id uuid NOT NULL REFERENCES app_user (id),
        decision text NOT NULL CONSTRAINT review_decision CHECK (decision IN ('approve', 'reject')),
        comment text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT review_reject_comment CHECK (decision <> 'reject' OR length(trim(comment)) > 0)
      )`);
    await q.query('CREATE INDEX review_task_idx ON review (tenant_id, task_id, created_at)');
    await q.query(`
      CREATE TABLE task_event (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        task_id uuid NOT NULL REFERENCES task (id) ON DELETE CASCADE,
        occurred_on date NOT NULL,
        description text NOT NULL,
        created_by uuid NOT NULL REFERENCES app_user (id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query('CREATE INDEX task_event_task_idx ON task_event (tenant_id, task_id, occurred_on)');
    // Which subscriptions may have a period to open, across tenants, for the worker. Ids and a
    // date only: no tenant data, so no row-level security on it.
    await q.query(`
      CREATE TABLE occurrence_schedule (
        subscription_id uuid PRIMARY KEY REFERENCES subscription (id) ON DELETE CASCADE,
        tenant_id uuid NOT NULL,
        next_period_on date
      )`);
    await q.query('CREATE INDEX occurrence_schedule_next_idx ON occurrence_schedule (next_period_on)');

    for (const table of ['subscription', 'task', 'review', 'task_event']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(
        `CREATE POLICY ${table}_scope ON ${table} USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id())`,
      );
    }
    await grantToApp(q, 'SELECT, INSERT, UPDATE', 'subscription, task');
    // Reviews and logged events are facts: never changed through the app.
    await grantToApp(q, 'SELECT, INSERT', 'review, task_event');
    await grantToApp(q, 'SELECT, INSERT, UPDATE, DELETE', 'occurrence_schedule');
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['occurrence_schedule', 'task_event', 'review', 'task', 'subscription']) await q.query(`DROP TABLE ${table}`);
  }
}
