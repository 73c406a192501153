import type { MigrationInterface, QueryRunner } from 'typeorm';
import { applyFunctionSource } from './function-source';
import { grantToApp } from './grants';

/**
 * Reminders and audit on the data-access conventions (docs/data-access.md, docs/reminders.md).
 *
 * - Every function of libs/audit and libs/reminders now comes from its lib's `sql/` file.
 * - The sweep no longer names other libs' tables: tasks, memberships, tenants and users are read
 *   through small functions their owning libs define (libs/tasks/sql, libs/tenancy/sql,
 *   libs/catalog/sql). They are LANGUAGE sql, STABLE, SECURITY INVOKER without SET clauses, so
 *   Postgres inlines them into the sweep's statements (same plans as one hand-written query) and
 *   row-level security applies as to the caller: inside the sweep, the definer scope; for the
 *   sender, the tenant's scope.
 * - The selection rules move out of sweep_reminders into reminder_candidates and reminder_tasks,
 *   which the sender also uses to check a mail is still true when its turn comes.
 * - `tenant_time_zones` was first libs/tasks' (the first subscription's zone); its source moved to
 *   libs/tenancy when it came to read `tenant.time_zone` (DigestTenantZone1764001600000), and this
 *   migration reads it from there (a fresh database gets the newer body here, as with every file).
 * - notification.task_key is a generated column: TypeORM keeps the expression of generated columns
 *   in its typeorm_metadata table, where the first migration did not record it.
 */
export class RemindersDataAccess1764000300000 implements MigrationInterface {
  name = 'RemindersDataAccess1764000300000';

  async up(q: QueryRunner): Promise<void> {
    for (const [lib, fn] of [
      ['audit', 'audit_append_only'],
      ['audit', 'audit_head_guard'],
      ['audit', 'audit_claim_head'],
      ['audit', 'audit_event_link'],
      ['reminders', 'app_definer_scope'],
      ['tasks', 'task_due_facts'],
      ['tenancy', 'tenant_time_zones'],
      ['tasks', 'task_rejections'],
      ['tenancy', 'active_memberships'],
      ['tenancy', 'tenant_reminder_settings'],
      ['tenancy', 'user_contacts'],
      ['catalog', 'activity_labels'],
      ['reminders', 'reminder_tasks'],
      ['reminders', 'reminder_candidates'],
      // sweep_reminders and requeue_reminders were applied here from their files too, until
      // ReminderJobsById1764001700000 replaced them (and dropped them): their files are gone.
    ] as const)
      await applyFunctionSource(q, lib, fn);
    // Invoker functions: what they show depends on the caller's row-level security.
    for (const fn of [
      'task_due_facts(timestamptz)',
      'tenant_time_zones()',
      'task_rejections(timestamptz, timestamptz)',
      'active_memberships(timestamptz)',
      'tenant_reminder_settings()',
      'user_contacts()',
      'activity_labels()',
      'reminder_tasks(timestamptz)',
      'reminder_candidates(timestamptz, text[], date)',
    ])
      await grantToApp(q, 'EXECUTE', `FUNCTION ${fn}`);

    // typeorm_metadata exists: TypeORM's migration runner creates it before running migrations
    // whenever an entity has a generated column (NotificationEntity does).
    await q.query(
      `INSERT INTO typeorm_metadata ("type", "database", "schema", "table", "name", "value")
       VALUES ('GENERATED_COLUMN', current_database(), current_schema(), 'notification', 'task_key', $1)`,
      [TASK_KEY_EXPRESSION],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DELETE FROM typeorm_metadata WHERE "type" = 'GENERATED_COLUMN' AND "table" = 'notification' AND "name" = 'task_key' AND "schema" = current_schema()`,
    );
    // The functions stay: the sweep as it now runs calls them, and the earlier body of
    // sweep_reminders lived nowhere else (it was a template in 1764000005000). They are harmless
    // without the sweep, and this migration's up replaces them.
  }
}

/** As NotificationEntity declares it (TypeORM compares the text). */
export const TASK_KEY_EXPRESSION = "coalesce(task_id, '00000000-0000-0000-0000-000000000000'::uuid)";
