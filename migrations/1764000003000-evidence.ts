import type { MigrationInterface, QueryRunner } from 'typeorm';
import { grantToApp } from './grants';

/**
 * Evidence attached to tasks: a file (kept in the evidence storage under a generated key, with its
 * size, sniffed media type and sha256), a link or a note. Immutable: the app role may only read
 * and insert; a correction is a new row.
 */
export class Evidence1764000003000 implements MigrationInterface {
  name = 'Evidence1764000003000';

  async up(q: QueryRunner): Promise<void> {
    // Lets evidence reference (tenant_id, task_id), so a row can never point at another tenant's
    // task. A unique index serves as the foreign key's target; IF NOT EXISTS leaves an
    // equivalent one made by the tasks migration alone.
    await q.query('CREATE UNIQUE INDEX IF NOT EXISTS task_tenant_id_unique ON task (tenant_id, id)');
    await q.query(`
      CREATE TABLE evidence (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL,
        task_id uuid NOT NULL,
        kind text NOT NULL CONSTRAINT evidence_kind CHECK (kind IN ('file', 'link', 'note')),
        description text CONSTRAINT evidence_description CHECK (description IS NULL OR length(description) BETWEEN 1 AND 2000),
        file_name text CONSTRAINT evidence_file_name CHECK (file_name IS NULL OR octet_length(file_name) BETWEEN 1 AND 255),
        media_type text,
        size bigint CONSTRAINT evidence_size CHECK (size IS NULL OR size > 0),
        sha256 char(64) CONSTRAINT evidence_sha256 CHECK (sha256 IS NULL OR sha256 ~ '^[0-9a-f]{64}$'),
        storage_key text CONSTRAINT evidence_storage_key_unique UNIQUE,
        url text CONSTRAINT evidence_url CHECK (url IS NULL OR (length(url) <= 2048 AND url ~* '^https?://')),
        text text CONSTRAINT evidence_text CHECK (text IS NULL OR length(text) BETWEEN 1 AND 20000),
        submitted_by uuid NOT NULL REFERENCES app_user (id),
        submitted_at timestamptz NOT NULL DEFAULT now(),
        -- No cascade: evidence outlives nothing silently; a task with evidence cannot be deleted.
        CONSTRAINT evidence_task_fk FOREIGN KEY (tenant_id, task_id) REFERENCES task (tenant_id, id),
        CONSTRAINT evidence_fields_by_kind CHECK (
          CASE kind
            WHEN 'file' THEN media_type IS NOT NULL AND size IS NOT NULL AND sha256 IS NOT NULL AND storage_key IS NOT NULL AND url IS NULL AND text IS NULL
            WHEN 'link' THEN url IS NOT NULL AND file_name IS NULL AND media_type IS NULL AND size IS NULL AND sha256 IS NULL AND storage_key IS NULL AND text IS NULL
            WHEN 'note' THEN text IS NOT NULL AND file_name IS NULL AND media_type IS NULL AND size IS NULL AND sha256 IS NULL AND storage_key IS NULL AND url IS NULL
          END
        )
      )`);
    // A task's evidence in order (task detail, the complete check).
    await q.query('CREATE INDEX evidence_task_idx ON evidence (tenant_id, task_id, submitted_at, id)');
    await q.query('ALTER TABLE evidence ENABLE ROW LEVEL SECURITY');
    await q.query('ALTER TABLE evidence FORCE ROW LEVEL SECURITY');
    await q.query('CREATE POLICY evidence_scope ON evidence USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id())');
    // Immutable through the app: no UPDATE, no DELETE.
    await grantToApp(q, 'SELECT, INSERT', 'evidence');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE evidence');
    await q.query('DROP INDEX IF EXISTS task_tenant_id_unique');
  }
}
