import type { MigrationInterface, QueryRunner } from 'typeorm';
import { applyFunctionSource } from './function-source';
import { grantToApp } from './grants';

/**
 * "A newer version of your catalog was published" mails (issue 9, docs/catalog-import.md).
 *
 * - catalog_update_mail (libs/reminders): one row per (tenant, version, admin), the idempotency
 *   key of the mail; tenant-scoped like notification, and readable in the `reminders` definer
 *   scope so that catalog_update_recipients leaves out who was already mailed.
 * - catalog_subscriptions (libs/tasks, invoker, inlined) and catalog_update_recipients
 *   (libs/reminders, SECURITY DEFINER, the `reminders` definer scope: subscription, membership and
 *   tenant already have their via_reminders_read policies).
 */
export class CatalogUpdateMail1764001300000 implements MigrationInterface {
  name = 'CatalogUpdateMail1764001300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE catalog_update_mail (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        version_id uuid NOT NULL,
        recipient_id uuid NOT NULL,
        subscription_id uuid NOT NULL,
        from_version_id uuid NOT NULL,
        status text NOT NULL CONSTRAINT catalog_update_mail_status CHECK (status IN ('sent', 'failed')),
        message_id text,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT catalog_update_mail_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT catalog_update_mail_once UNIQUE (tenant_id, version_id, recipient_id)
      )`);
    await q.query('ALTER TABLE catalog_update_mail ENABLE ROW LEVEL SECURITY');
    await q.query('ALTER TABLE catalog_update_mail FORCE ROW LEVEL SECURITY');
    await q.query(
      'CREATE POLICY catalog_update_mail_scope ON catalog_update_mail USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id())',
    );
    await q.query(`CREATE POLICY via_reminders_read ON catalog_update_mail FOR SELECT USING ((SELECT app_definer_scope('reminders')))`);
    await grantToApp(q, 'SELECT, INSERT, UPDATE', 'catalog_update_mail');

    await applyFunctionSource(q, 'tasks', 'catalog_subscriptions');
    await grantToApp(q, 'EXECUTE', 'FUNCTION catalog_subscriptions(uuid)');
    await applyFunctionSource(q, 'reminders', 'catalog_update_recipients');
    await q.query('REVOKE EXECUTE ON FUNCTION catalog_update_recipients(uuid, uuid, uuid, timestamptz) FROM PUBLIC');
    await grantToApp(q, 'EXECUTE', 'FUNCTION catalog_update_recipients(uuid, uuid, uuid, timestamptz)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION IF EXISTS catalog_update_recipients(uuid, uuid, uuid, timestamptz)');
    await q.query('DROP FUNCTION IF EXISTS catalog_subscriptions(uuid)');
    await q.query('DROP TABLE IF EXISTS catalog_update_mail');
  }
}
