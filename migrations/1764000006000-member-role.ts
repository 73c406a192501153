import type { MigrationInterface, QueryRunner } from 'typeorm';
import { grantToApp } from './grants';

/**
 * The caller's role in a tenant in one round trip: the function sets the row-level-security
 * scope for its own statement only (set_config local to the implicit transaction), then reads
 * the membership under that scope. It runs as the caller (SECURITY INVOKER): RLS still applies.
 */
export class MemberRole1764000006000 implements MigrationInterface {
  name = 'MemberRole1764000006000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION app_member_role(p_tenant uuid, p_user uuid) RETURNS text
      LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = public, pg_temp
      AS $$
      BEGIN
        PERFORM set_config('app.tenant_id', p_tenant::text, true), set_config('app.user_id', p_user::text, true);
        RETURN (SELECT m.role FROM membership m
                 WHERE m.tenant_id = p_tenant AND m.user_id = p_user AND (m.expires_at IS NULL OR m.expires_at > now()));
      END
      $$`);
    await grantToApp(q, 'EXECUTE', 'FUNCTION app_member_role(uuid, uuid)');
    // A task's history in its detail view: the events about the task and its evidence.
    await q.query('CREATE INDEX audit_event_entity_idx ON audit_event (tenant_id, entity_type, entity_id, seq)');
    await q.query(
      "CREATE INDEX audit_event_evidence_task_idx ON audit_event (tenant_id, (data->>'taskId'), seq) WHERE entity_type = 'evidence'",
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX audit_event_evidence_task_idx');
    await q.query('DROP INDEX audit_event_entity_idx');
    await q.query('DROP FUNCTION app_member_role(uuid, uuid)');
  }
}
