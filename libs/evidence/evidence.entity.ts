import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';

export const EVIDENCE_KINDS = ['file', 'link', 'note'] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/**
 * Evidence attached to a task: a file (kept in the evidence storage under a generated key, with
 * its size, sniffed media type and sha256), a link or a note. Immutable: the app role may only
 * read and insert; a correction is a new row.
 */
@Entity('evidence')
// No cascade: evidence outlives nothing silently; a task with evidence cannot be deleted.
@ForeignKey('task', ['tenantId', 'taskId'], ['tenantId', 'id'], { name: 'evidence_task_fk' })
@Unique('evidence_storage_key_unique', ['tenantId', 'storageKey'])
@Check('evidence_kind', "kind IN ('file', 'link', 'note')")
@Check('evidence_description', 'description IS NULL OR length(description) BETWEEN 1 AND 2000')
@Check('evidence_file_name', 'file_name IS NULL OR octet_length(file_name) BETWEEN 1 AND 255')
@Check('evidence_size', 'size IS NULL OR size > 0')
@Check('evidence_sha256', "sha256 IS NULL OR sha256 ~ '^[0-9a-f]{64}$'")
@Check('evidence_url', "url IS NULL OR (length(url) <= 2048 AND url ~* '^https?://')")
@Check('evidence_text', 'text IS NULL OR length(text) BETWEEN 1 AND 20000')
@Check(
  'evidence_fields_by_kind',
  `CASE kind
    WHEN 'file' THEN media_type IS NOT NULL AND size IS NOT NULL AND sha256 IS NOT NULL AND storage_key IS NOT NULL AND url IS NULL AND text IS NULL
    WHEN 'link' THEN url IS NOT NULL AND file_name IS NULL AND media_type IS NULL AND size IS NULL AND sha256 IS NULL AND storage_key IS NULL AND text IS NULL
    WHEN 'note' THEN text IS NOT NULL AND file_name IS NULL AND media_type IS NULL AND size IS NULL AND sha256 IS NULL AND storage_key IS NULL AND url IS NULL
  END`,
)
// A task's evidence in order (task detail, the complete check).
@Index('evidence_task_idx', ['tenantId', 'taskId', 'submittedAt', 'id'])
export class EvidenceEntity {
  // First column of the primary key: the distribution column on Citus (docs/scaling.md#citus).
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'evidence_pkey' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'evidence_pkey' })
  id!: string;

  @Column('uuid')
  taskId!: string;

  @Column('text')
  kind!: EvidenceKind;

  @Column('text', { nullable: true })
  description!: string | null;

  /** The client's file name, sanitised; metadata only (storage uses a generated key). */
  @Column('text', { nullable: true })
  fileName!: string | null;

  /** Sniffed from the bytes, never taken from the client. */
  @Column('text', { nullable: true })
  mediaType!: string | null;

  /** bigint: the driver gives it as a string. */
  @Column('bigint', { nullable: true })
  size!: string | null;

  @Column('char', { length: 64, nullable: true })
  sha256!: string | null;

  @Column('text', { nullable: true })
  storageKey!: string | null;

  @Column('text', { nullable: true })
  url!: string | null;

  @Column('text', { nullable: true })
  text!: string | null;

  @Column('uuid')
  @ForeignKey('app_user', { name: 'evidence_submitted_by_fkey' })
  submittedBy!: string;

  @Column('timestamptz', { default: () => 'now()' })
  submittedAt!: Date;
}

export const EVIDENCE_ENTITIES = [EvidenceEntity];
