import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';

/**
 * One link of a tenant's hash chain (docs/audit.md). Append-only: a statement trigger refuses
 * UPDATE, DELETE and TRUNCATE, and the app role may only SELECT and INSERT. The hash is computed
 * by the application (audit.chain.ts), so every column is written explicitly: no defaults.
 */
@Entity('audit_event')
@Check('audit_event_seq_positive', 'seq > 0')
@Check('audit_event_action_length', 'length(action) BETWEEN 1 AND 100')
@Check('audit_event_prev_hash_hex', "prev_hash ~ '^[0-9a-f]{64}$'")
@Check('audit_event_hash_hex', "hash ~ '^[0-9a-f]{64}$'")
// A task's history in its detail view: the events about the task ...
@Index('audit_event_entity_idx', ['tenantId', 'entityType', 'entityId', 'seq'])
// ... and about its evidence (an expression index, `(tenant_id, (data->>'taskId'), seq) WHERE
// entity_type = 'evidence'`, which an entity cannot declare: it lives in migration 1764000006000).
@Index('audit_event_evidence_task_idx', { synchronize: false })
export class AuditEventEntity {
  // RESTRICT: tenant deletion is not exposed, and history must not vanish with a cascade.
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'audit_event_pkey' })
  @ForeignKey('tenant', { name: 'audit_event_tenant_id_fkey', onDelete: 'RESTRICT' })
  tenantId!: string;

  @PrimaryColumn('bigint', { primaryKeyConstraintName: 'audit_event_pkey' })
  seq!: string;

  @Column('timestamptz')
  at!: Date;

  @Column('uuid', { nullable: true })
  actorId!: string | null;

  @Column('text')
  action!: string;

  @Column('text')
  entityType!: string;

  @Column('text')
  entityId!: string;

  @Column('jsonb')
  data!: Record<string, unknown>;

  @Column('text', { nullable: true })
  requestId!: string | null;

  @Column('char', { length: 64 })
  prevHash!: string;

  @Column('char', { length: 64 })
  hash!: string;
}
