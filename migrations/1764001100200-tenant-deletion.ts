import type { MigrationInterface, QueryRunner } from 'typeorm';
import { applyFunctionSource } from './function-source';
import { grantToApp } from './grants';

/** The purge functions of the libs above tenancy: lib, function (each takes the tenant id). */
const PURGES = [
  ['exports', 'exports_purge_tenant'],
  ['reminders', 'reminders_purge_tenant'],
  ['evidence', 'evidence_purge_tenant'],
  ['tasks', 'tasks_purge_tenant'],
] as const;

/**
 * Deleting a tenant (DELETE /tenants/:id, docs/tenancy-admin.md): the tenant row stays as a
 * tombstone (when, by whom, and until when its audit trail is kept: the chain references it),
 * its members, invitations, tasks, evidence, packs and mail log are deleted in the same
 * transaction by one owner-run function per lib, each refusing a tenant that is not the
 * transaction's own or not tombstoned.
 */
export class TenantDeletion1764001100200 implements MigrationInterface {
  name = 'TenantDeletion1764001100200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'ALTER TABLE tenant ADD COLUMN deleted_at timestamptz, ADD COLUMN deleted_by uuid, ADD COLUMN audit_retained_until timestamptz',
    );
    await q.query(
      'ALTER TABLE tenant ADD CONSTRAINT tenant_deleted_by_fkey FOREIGN KEY (deleted_by) REFERENCES app_user(id) ON DELETE NO ACTION ON UPDATE NO ACTION',
    );
    await q.query(
      'ALTER TABLE tenant ADD CONSTRAINT tenant_deletion_complete CHECK ((deleted_at IS NULL) = (audit_retained_until IS NULL))',
    );
    await applyFunctionSource(q, 'tenancy', 'tenant_deleted');
    await grantToApp(q, 'EXECUTE', 'FUNCTION tenant_deleted(uuid)');
    for (const [lib, fn] of PURGES) {
      await applyFunctionSource(q, lib, fn);
      await q.query(`REVOKE ALL ON FUNCTION ${fn}(uuid) FROM PUBLIC`);
      await grantToApp(q, 'EXECUTE', `FUNCTION ${fn}(uuid)`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [, fn] of PURGES) await q.query(`DROP FUNCTION ${fn}(uuid)`);
    await q.query('DROP FUNCTION tenant_deleted(uuid)');
    await q.query('ALTER TABLE tenant DROP CONSTRAINT tenant_deletion_complete');
    await q.query('ALTER TABLE tenant DROP CONSTRAINT tenant_deleted_by_fkey');
    await q.query('ALTER TABLE tenant DROP COLUMN audit_retained_until, DROP COLUMN deleted_by, DROP COLUMN deleted_at');
  }
}
