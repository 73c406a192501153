import type { MigrationInterface, QueryRunner } from 'typeorm';
import { grantToApp } from './grants';

/**
 * Password reset links (libs/tenancy/password-reset-token.entity.ts): the sha256 of each link's
 * secret, its expiry, and whether it was used or replaced. One live link per account (partial
 * unique index). Global like refresh_token: no tenant, no row-level security.
 */
export class PasswordReset1764001000000 implements MigrationInterface {
  name = 'PasswordReset1764001000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE password_reset_token (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        token_hash char(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        superseded_at timestamptz,
        CONSTRAINT password_reset_token_pkey PRIMARY KEY (id),
        CONSTRAINT password_reset_token_hash_unique UNIQUE (token_hash),
        CONSTRAINT password_reset_token_user_id_fkey FOREIGN KEY (user_id) REFERENCES app_user (id) ON DELETE CASCADE
      )`);
    await q.query(
      'CREATE UNIQUE INDEX password_reset_token_pending_unique ON password_reset_token (user_id) WHERE used_at IS NULL AND superseded_at IS NULL',
    );
    await q.query('CREATE INDEX password_reset_token_expiry_idx ON password_reset_token (expires_at)');
    await grantToApp(q, 'SELECT, INSERT, UPDATE, DELETE', 'password_reset_token');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE password_reset_token');
  }
}
