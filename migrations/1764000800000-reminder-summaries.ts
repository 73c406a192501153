import type { MigrationInterface, QueryRunner } from 'typeorm';
import { applyFunctionSource } from './function-source';
import { grantToApp } from './grants';

/**
 * One mail per person per sweep (issue 12 item 14, docs/reminders.md).
 *
 * - notification.summary_id: the rows one sweep writes for one recipient in one tenant point at
 *   the row that leads their summary mail (NULL for a mail of its own). Each row keeps its own
 *   idempotency key; only the mail is shared.
 * - reminder_candidates returns only rows not written yet, with how they reach the recipient
 *   (covered by an escalation, rank in the mail, items in the mail): its result type changes, so
 *   it is dropped and created again; sweep_reminders and requeue_reminders follow.
 */
export class ReminderSummaries1764000800000 implements MigrationInterface {
  name = 'ReminderSummaries1764000800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE notification ADD COLUMN summary_id uuid');
    await q.query('CREATE INDEX notification_summary_idx ON notification (summary_id) WHERE summary_id IS NOT NULL');
    await q.query('DROP FUNCTION IF EXISTS reminder_candidates(timestamptz, text[], date)');
    // sweep_reminders and requeue_reminders followed from their files, until
    // ReminderJobsById1764001700000 replaced them (and dropped them): their files are gone.
    await applyFunctionSource(q, 'reminders', 'reminder_candidates');
    await grantToApp(q, 'EXECUTE', 'FUNCTION reminder_candidates(timestamptz, text[], date)');
  }

  async down(q: QueryRunner): Promise<void> {
    // The functions stay as their sql/ files say (they read summary_id only through sweep and
    // requeue, which a revert of this column would break): revert the code with the schema.
    await q.query('DROP INDEX IF EXISTS notification_summary_idx');
    await q.query('ALTER TABLE notification DROP COLUMN IF EXISTS summary_id');
  }
}
