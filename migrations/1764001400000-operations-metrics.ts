import type { MigrationInterface, QueryRunner } from 'typeorm';
import { applyFunctionSource } from './function-source';
import { grantToApp } from './grants';

/**
 * Cross-tenant counts for the metrics scrape (docs/operations.md#metrics): the mail log by status
 * (libs/reminders) and the evidence bytes stored (libs/evidence). Each is a definer function that
 * answers aggregates only; evidence gets a definer-scope read policy of its own (`evidence`), so
 * neither lib reads the other's table and the app role alone still sees one tenant at a time.
 */
export class OperationsMetrics1764001400000 implements MigrationInterface {
  name = 'OperationsMetrics1764001400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE POLICY via_evidence_read ON evidence FOR SELECT USING ((SELECT app_definer_scope('evidence')))`);
    await applyFunctionSource(q, 'reminders', 'reminders_notification_counts');
    await applyFunctionSource(q, 'evidence', 'evidence_bytes_stored');
    for (const fn of ['reminders_notification_counts()', 'evidence_bytes_stored()']) {
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await grantToApp(q, 'EXECUTE', `FUNCTION ${fn}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION evidence_bytes_stored()');
    await q.query('DROP FUNCTION reminders_notification_counts()');
    await q.query('DROP POLICY via_evidence_read ON evidence');
  }
}
