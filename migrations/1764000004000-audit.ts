import type { MigrationInterface, QueryRunner } from 'typeorm';
import { grantToApp } from './grants';

/**
 * The audit trail: one hash chain per tenant, append-only.
 *
 * - `audit_event` rows are never updated or deleted: the app role has SELECT and INSERT only, and
 *   a statement trigger refuses UPDATE, DELETE and TRUNCATE for every role (the owner included)
 *   until someone with the power to do so disables or drops it.
 * - `audit_head` holds each tenant's last (seq, hash). Appenders lock it through
 *   `audit_claim_head()`, so concurrent appends in a tenant take turns and get consecutive seqs.
 *   The app role can only read it; the insert trigger on `audit_event` checks that the new row
 *   links to the head (seq + 1, prev_hash = head hash) and moves the head forward.
 * The hashes themselves are computed in the application (libs/audit) from canonical JSON, which
 * SQL cannot reproduce; verification recomputes them (docs/audit.md).
 */
export class Audit1764000004000 implements MigrationInterface {
  name = 'Audit1764000004000';

  async up(q: QueryRunner): Promise<void> {
    // Tenant deletion is not exposed; RESTRICT keeps history from vanishing with a cascade.
    await q.query(`
      CREATE TABLE audit_event (
        tenant_id uuid NOT NULL REFERENCES tenant (id) ON DELETE RESTRICT,
        seq bigint NOT NULL CONSTRAINT audit_event_seq_positive CHECK (seq > 0),
        at timestamptz NOT NULL,
        actor_id uuid,
        action text NOT NULL CONSTRAINT audit_event_action_length CHECK (length(action) BETWEEN 1 AND 100),
        entity_type text NOT NULL,
        entity_id text NOT NULL,
        data jsonb NOT NULL,
        request_id text,
        prev_hash char(64) NOT NULL CONSTRAINT audit_event_prev_hash_hex CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
        hash char(64) NOT NULL CONSTRAINT audit_event_hash_hex CHECK (hash ~ '^[0-9a-f]{64}$'),
        PRIMARY KEY (tenant_id, seq)
      )`);
    await q.query(`
      CREATE TABLE audit_head (
        tenant_id uuid PRIMARY KEY REFERENCES tenant (id) ON DELETE RESTRICT,
        seq bigint NOT NULL CONSTRAINT audit_head_seq CHECK (seq >= 0),
        hash char(64) NOT NULL CONSTRAINT audit_head_hash_hex CHECK (hash ~ '^[0-9a-f]{64}$')
      )`);

    for (const table of ['audit_event', 'audit_head']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
    }
    // No UPDATE or DELETE policy on audit_event: even a role that slipped past the grants and the
    // trigger would match no row.
    await q.query('CREATE POLICY audit_event_read ON audit_event FOR SELECT USING (tenant_id = app_tenant_id())');
    await q.query('CREATE POLICY audit_event_append ON audit_event FOR INSERT WITH CHECK (tenant_id = app_tenant_id())');
    // The head is written only by the functions below (running as the owner, bound by FORCE).
    await q.query('CREATE POLICY audit_head_read ON audit_head FOR SELECT USING (tenant_id = app_tenant_id())');
    await q.query('CREATE POLICY audit_head_create ON audit_head FOR INSERT WITH CHECK (tenant_id = app_tenant_id())');
    await q.query(
      'CREATE POLICY audit_head_advance ON audit_head FOR UPDATE USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id())',
    );

    await q.query(`
      CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_event is append-only: % is not allowed', TG_OP
          USING ERRCODE = 'insufficient_privilege',
                HINT = 'The audit trail is never changed; record a new event instead.';
      END $$`);
    // Statement level, so the refusal does not depend on which rows the statement would match.
    await q.query(`
      CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_event
      FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()`);

    // Locks the tenant's head row (creating it at genesis) and hands back what the next event
    // chains onto. A transaction scoped to another tenant gets its scope back and nothing locked:
    // the caller treats that as the programming error it is.
    await q.query(`
      CREATE FUNCTION audit_claim_head(p_tenant uuid)
      RETURNS TABLE (scope text, seq bigint, hash text, at timestamptz)
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      BEGIN
        scope := current_setting('app.tenant_id', true);
        IF p_tenant IS NULL OR app_tenant_id() IS DISTINCT FROM p_tenant THEN
          RETURN NEXT;
          RETURN;
        END IF;
        INSERT INTO audit_head (tenant_id, seq, hash) VALUES (p_tenant, 0, repeat('0', 64))
          ON CONFLICT (tenant_id) DO NOTHING;
        SELECT h.seq, h.hash INTO seq, hash FROM audit_head h WHERE h.tenant_id = p_tenant FOR UPDATE;
        -- Read after the lock, so times never run backwards along the chain (on one clock).
        at := date_trunc('milliseconds', clock_timestamp());
        RETURN NEXT;
      END $$`);
    await q.query('REVOKE ALL ON FUNCTION audit_claim_head(uuid) FROM PUBLIC');

    // Every new row must extend the chain exactly where the head is; the head then moves to it.
    await q.query(`
      CREATE FUNCTION audit_event_link() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE
        head_seq bigint;
        head_hash text;
      BEGIN
        SELECT h.seq, h.hash INTO head_seq, head_hash FROM audit_head h WHERE h.tenant_id = NEW.tenant_id FOR UPDATE;
        IF NOT FOUND THEN
          RAISE EXCEPTION 'audit_event for tenant % has no claimed head: call audit_claim_head() first', NEW.tenant_id
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF NEW.seq <> head_seq + 1 OR NEW.prev_hash <> head_hash THEN
          RAISE EXCEPTION 'audit_event % of tenant % does not extend the chain (head is % %)', NEW.seq, NEW.tenant_id, head_seq, head_hash
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE tenant_id = NEW.tenant_id;
        RETURN NEW;
      END $$`);
    await q.query('CREATE TRIGGER audit_event_link BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION audit_event_link()');

    // The head moves only from the link trigger (nested, depth 2); no one rewinds or removes it.
    await q.query(`
      CREATE FUNCTION audit_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND pg_trigger_depth() > 1 THEN
          RETURN NULL;
        END IF;
        RAISE EXCEPTION 'audit_head moves only when an audit_event is appended: % is not allowed', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_head_guard BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_head
      FOR EACH STATEMENT EXECUTE FUNCTION audit_head_guard()`);

    await grantToApp(q, 'SELECT, INSERT', 'audit_event');
    await grantToApp(q, 'SELECT', 'audit_head');
    await grantToApp(q, 'EXECUTE', 'FUNCTION audit_claim_head(uuid)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE audit_event');
    await q.query('DROP TABLE audit_head');
    await q.query('DROP FUNCTION audit_event_link()');
    await q.query('DROP FUNCTION audit_claim_head(uuid)');
    await q.query('DROP FUNCTION audit_head_guard()');
    await q.query('DROP FUNCTION audit_append_only()');
  }
}
