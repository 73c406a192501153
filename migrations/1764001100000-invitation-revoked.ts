import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Invitations an admin revokes (DELETE /tenants/:id/invitations/:id) are kept, marked revoked, so
 * that accepting their link answers INVITATION_REVOKED rather than a vague "invalid" (docs/tenancy
 * console part of issue 10). Only pending, unrevoked invitations hold the one-per-address slot.
 */
export class InvitationRevoked1764001100000 implements MigrationInterface {
  name = 'InvitationRevoked1764001100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE invitation ADD COLUMN revoked_at timestamptz, ADD COLUMN revoked_by uuid');
    await q.query(
      'ALTER TABLE invitation ADD CONSTRAINT invitation_revoked_by_fkey FOREIGN KEY (revoked_by) REFERENCES app_user(id) ON DELETE NO ACTION ON UPDATE NO ACTION',
    );
    await q.query('DROP INDEX invitation_pending_unique');
    await q.query(
      'CREATE UNIQUE INDEX invitation_pending_unique ON invitation (tenant_id, email) WHERE accepted_at IS NULL AND revoked_at IS NULL',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DELETE FROM invitation WHERE revoked_at IS NOT NULL');
    await q.query('DROP INDEX invitation_pending_unique');
    await q.query('CREATE UNIQUE INDEX invitation_pending_unique ON invitation (tenant_id, email) WHERE accepted_at IS NULL');
    await q.query('ALTER TABLE invitation DROP CONSTRAINT invitation_revoked_by_fkey');
    await q.query('ALTER TABLE invitation DROP COLUMN revoked_by, DROP COLUMN revoked_at');
  }
}
