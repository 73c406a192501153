import { Check, Column, Entity, ForeignKey, PrimaryColumn } from 'typeorm';

/**
 * Each tenant's last (seq, hash). Created and locked by `audit_claim_head()`, moved only by the
 * insert trigger on audit_event (libs/audit/sql): the app role can only read it.
 */
@Entity('audit_head')
@Check('audit_head_seq', 'seq >= 0')
@Check('audit_head_hash_hex', "hash ~ '^[0-9a-f]{64}$'")
export class AuditHeadEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'audit_head_pkey' })
  @ForeignKey('tenant', { name: 'audit_head_tenant_id_fkey', onDelete: 'RESTRICT' })
  tenantId!: string;

  @Column('bigint')
  seq!: string;

  @Column('char', { length: 64 })
  hash!: string;
}
