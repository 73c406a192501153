import type { MigrationInterface, QueryRunner } from 'typeorm';
import { grantToApp } from './grants';

/**
 * Users, tenants, memberships, invitations, refresh tokens, rate-limit counters, and the
 * row-level security that keeps tenants apart even when a query forgets its tenant filter.
 */
export class Tenancy1764000001000 implements MigrationInterface {
  name = 'Tenancy1764000001000';

  async up(q: QueryRunner): Promise<void> {
    // The scope of the current transaction, set by libs/db with set_config(..., true).
    // Unset or empty means "no tenant": policies then match no tenant row.
    await q.query(`
      CREATE FUNCTION app_tenant_id() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE
      AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$`);
    await q.query(`
      CREATE FUNCTION app_user_id() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE
      AS $$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $$`);

    await q.query(`
      CREATE TABLE app_user (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL CONSTRAINT app_user_email_lower CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
        name text NOT NULL CONSTRAINT app_user_name_length CHECK (length(name) BETWEEN 1 AND 200),
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT app_user_email_unique UNIQUE (email)
      )`);
    await q.query(`
      CREATE TABLE tenant (
        id uuid PRIMARY KEY,
        name text NOT NULL CONSTRAINT tenant_name_length CHECK (length(name) BETWEEN 1 AND 200),
        created_by uuid NOT NULL REFERENCES app_user (id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE membership (
        tenant_id uuid NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
        role text NOT NULL CONSTRAINT membership_role CHECK (role IN ('admin', 'member', 'auditor', 'viewer')),
        expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, user_id)
      )`);
    await q.query('CREATE INDEX membership_user_idx ON membership (user_id)');
    await q.query(`
      CREATE TABLE invitation (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenant (id) ON DELETE CASCADE,
        email text NOT NULL CONSTRAINT invitation_email_lower CHECK (email = lower(email)),
        role text NOT NULL CONSTRAINT invitation_role CHECK (role IN ('admin', 'member', 'auditor', 'viewer')),
        membership_expires_at timestamptz,
        token_hash char(64) NOT NULL CONSTRAINT invitation_token_unique UNIQUE,
        invited_by uuid NOT NULL REFERENCES app_user (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        accepted_at timestamptz,
        accepted_by uuid REFERENCES app_user (id)
      )`);
    // One pending invitation per address and tenant: re-inviting replaces it.
    await q.query('CREATE UNIQUE INDEX invitation_pending_unique ON invitation (tenant_id, email) WHERE accepted_at IS NULL');
    await q.query(`
      CREATE TABLE refresh_token (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
        family_id uuid NOT NULL,
        token_hash char(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        revoked_at timestamptz
      )`);
    await q.query('CREATE INDEX refresh_token_family_idx ON refresh_token (family_id)');
    await q.query('CREATE INDEX refresh_token_expiry_idx ON refresh_token (expires_at)');
    await q.query(`
      CREATE TABLE rate_limit_hit (
        bucket text NOT NULL,
        key text NOT NULL,
        window_start timestamptz NOT NULL,
        hits int NOT NULL,
        PRIMARY KEY (bucket, key, window_start)
      )`);
    await q.query('CREATE INDEX rate_limit_hit_window_idx ON rate_limit_hit (window_start)');

    // Row-level security on tenant-owned tables; FORCE binds the owner role too.
    for (const table of ['tenant', 'membership', 'invitation']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
    }
    await q.query(`CREATE POLICY tenant_scope ON tenant USING (id = app_tenant_id()) WITH CHECK (id = app_tenant_id())`);
    // A user sees the tenants they belong to (GET /tenants, GET /me), whatever the tenant scope.
    await q.query(`
      CREATE POLICY tenant_of_member ON tenant FOR SELECT
      USING (EXISTS (SELECT 1 FROM membership m WHERE m.tenant_id = tenant.id AND m.user_id = app_user_id()))`);
    await q.query(
      `CREATE POLICY membership_scope ON membership USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id())`,
    );
    await q.query(`CREATE POLICY membership_own ON membership FOR SELECT USING (user_id = app_user_id())`);
    await q.query(
      `CREATE POLICY invitation_scope ON invitation USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id())`,
    );

    await grantToApp(q, 'EXECUTE', 'FUNCTION app_tenant_id(), app_user_id()');
    await grantToApp(q, 'SELECT, INSERT, UPDATE', 'app_user');
    await grantToApp(q, 'SELECT, INSERT, UPDATE', 'tenant');
    await grantToApp(q, 'SELECT, INSERT, UPDATE, DELETE', 'membership, invitation, rate_limit_hit');
    await grantToApp(q, 'SELECT, INSERT, UPDATE, DELETE', 'refresh_token');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP POLICY tenant_of_member ON tenant');
    for (const table of ['rate_limit_hit', 'refresh_token', 'invitation', 'membership', 'tenant', 'app_user']) {
      await q.query(`DROP TABLE ${table}`);
    }
    await q.query('DROP FUNCTION app_user_id()');
    await q.query('DROP FUNCTION app_tenant_id()');
  }
}
