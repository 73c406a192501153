import type { MigrationInterface, QueryRunner } from 'typeorm';
import { applyFunctionSource } from './function-source';
import { grantToApp } from './grants';

/**
 * Evidence packs and calendar feeds (libs/exports, docs/exports.md). Both are tenant-owned: row-level
 * security like every tenant table; the expiry sweep reaches across tenants only through the
 * definer function exports_expired_packs.
 */
export class Exports1764000500000 implements MigrationInterface {
  name = 'Exports1764000500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE evidence_pack (
        id uuid NOT NULL,
        tenant_id uuid NOT NULL CONSTRAINT evidence_pack_tenant_fk REFERENCES tenant (id) ON DELETE CASCADE,
        requested_by uuid NOT NULL CONSTRAINT evidence_pack_requested_by_fk REFERENCES app_user (id),
        filter jsonb NOT NULL,
        state text NOT NULL CONSTRAINT evidence_pack_state CHECK (state IN ('queued', 'building', 'ready', 'failed', 'expired')),
        files_total integer NOT NULL DEFAULT 0,
        files_done integer NOT NULL DEFAULT 0,
        bytes_total bigint NOT NULL DEFAULT 0,
        bytes_done bigint NOT NULL DEFAULT 0,
        size bigint,
        sha256 char(64),
        manifest_sha256 char(64),
        error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        expires_at timestamptz,
        CONSTRAINT evidence_pack_pkey PRIMARY KEY (tenant_id, id)
      )`);
    await q.query('CREATE INDEX evidence_pack_tenant_created_idx ON evidence_pack (tenant_id, created_at)');
    await q.query(`
      CREATE TABLE calendar_feed (
        id uuid NOT NULL,
        tenant_id uuid NOT NULL CONSTRAINT calendar_feed_tenant_fk REFERENCES tenant (id) ON DELETE CASCADE,
        user_id uuid NOT NULL CONSTRAINT calendar_feed_user_fk REFERENCES app_user (id) ON DELETE CASCADE,
        scope text NOT NULL CONSTRAINT calendar_feed_scope CHECK (scope IN ('assigned', 'tenant')),
        token_hash char(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        -- Keys lead with tenant_id (docs/scaling.md): a feed token is looked up by its tenant part.
        CONSTRAINT calendar_feed_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT calendar_feed_token_unique UNIQUE (tenant_id, token_hash)
      )`);
    await q.query('CREATE INDEX calendar_feed_tenant_user_idx ON calendar_feed (tenant_id, user_id)');
    for (const table of ['evidence_pack', 'calendar_feed']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(
        `CREATE POLICY ${table}_scope ON ${table} USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id())`,
      );
    }
    // The expiry sweep's definer scope (libs/exports/sql/exports_expired_packs.sql): read, this table only.
    await q.query(`CREATE POLICY via_exports_read ON evidence_pack FOR SELECT USING ((SELECT app_definer_scope('exports')))`);
    await grantToApp(q, 'SELECT, INSERT, UPDATE', 'evidence_pack, calendar_feed');
    await applyFunctionSource(q, 'exports', 'exports_expired_packs');
    await q.query('REVOKE ALL ON FUNCTION exports_expired_packs(integer) FROM PUBLIC');
    await grantToApp(q, 'EXECUTE', 'FUNCTION exports_expired_packs(integer)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION exports_expired_packs(integer)');
    await q.query('DROP TABLE calendar_feed');
    await q.query('DROP TABLE evidence_pack');
  }
}
